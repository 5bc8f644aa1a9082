#include "engine/internal/agent_gate.h"

#include <algorithm>
#include <array>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include "engine/internal/access_lists.h"
#include "engine/internal/duration_text.h"
#include "engine/internal/identity_names.h"
#include "engine/views.h"

namespace assent::engine {
namespace json = boost::json;
namespace {

constexpr std::array<std::string_view, 5> kFields{"title", "message", "context", "approvers",
                                                 "timeout"};
constexpr size_t kMaxTitleBytes = 200;
// Each access check of a gate reads its list: a gate names a few approvers, as a step does.
constexpr size_t kMaxApprovers = 100;

// The approval shows the gate's own message, title and context as written (run_commands.cc
// RequestAgentGate): nothing an agent sends is rendered as a template.
constexpr std::string_view kDefinition = R"({
  "steps": [{"id": "decision", "type": "approval", "message": "{{input.message}}",
             "edits": true, "self_approval": false}]
})";

Result<std::string> OptionalText(const json::object& body, std::string_view field) {
  const json::value* value = body.if_contains(field);
  if (value == nullptr) return std::string();
  if (!value->is_string()) {
    return Status::InvalidArgument("'" + std::string(field) + "' must be a string");
  }
  return std::string(value->as_string());
}

}  // namespace

std::shared_ptr<const WorkflowDefinition> AgentGateDefinition() {
  static const std::shared_ptr<const WorkflowDefinition> definition = [] {
    auto parsed = ParseDefinition("gate", json::parse(kDefinition));
    auto builtin = std::make_shared<WorkflowDefinition>(**parsed);  // it is ours: it parses
    builtin->name = kAgentGateWorkflow;
    builtin->version = 1;
    return builtin;
  }();
  return definition;
}

Result<AgentGateRequest> ParseAgentGateRequest(const json::value& body) {
  if (!body.is_object()) return Status::InvalidArgument("a gate request must be a JSON object");
  const json::object& object = body.as_object();
  for (const auto& field : object) {
    if (std::find(kFields.begin(), kFields.end(), field.key()) == kFields.end()) {
      return Status::InvalidArgument("unknown field '" + std::string(field.key()) +
                                     "' (a gate takes title, message, context, approvers and "
                                     "timeout)");
    }
  }
  AgentGateRequest request;
  auto title = OptionalText(object, "title");
  if (!title.ok()) return title.status();
  request.title = std::move(title).value();
  if (request.title.empty() || request.title.size() > kMaxTitleBytes) {
    return Status::InvalidArgument("'title' must be 1-" + std::to_string(kMaxTitleBytes) +
                                   " bytes of text: what the reviewers' queue lists");
  }
  auto message = OptionalText(object, "message");
  if (!message.ok()) return message.status();
  request.message = message->empty() ? request.title : std::move(message).value();
  if (const json::value* context = object.if_contains("context")) {
    if (!context->is_object()) return Status::InvalidArgument("'context' must be an object");
    request.context = context->as_object();
  }
  if (const json::value* approvers = object.if_contains("approvers")) {
    auto list = AccessList::Parse(*approvers);
    if (!list.ok()) return Status::InvalidArgument("'approvers': " + list.status().message());
    request.approvers = list->entries();
    if (request.approvers.size() > kMaxApprovers) {
      return Status::InvalidArgument("'approvers' names " +
                                     std::to_string(request.approvers.size()) +
                                     " entries; at most " + std::to_string(kMaxApprovers) +
                                     " (name a group instead)");
    }
  }
  auto timeout = OptionalText(object, "timeout");
  if (!timeout.ok()) return timeout.status();
  if (!timeout->empty()) {
    auto ms = ParseDuration(*timeout);
    if (!ms.ok()) return Status::InvalidArgument("'timeout': " + ms.status().message());
    if (*ms < 1'000 || *ms > kMaxTimerMs) {  // as an approval step's
      return Status::InvalidArgument("'timeout' must be from 1s to 366d");
    }
    request.timeout = std::move(timeout).value();
    request.timeout_ms = *ms;
  }
  return request;
}

Status CheckApproversNameDirectoryEntries(const AgentGateRequest& request) {
  for (size_t i = 0; i < request.approvers.size(); ++i) {
    std::string_view entry = request.approvers[i];
    if (entry == "*") continue;
    const bool group = entry.starts_with(kGroupPrefix);
    Status named = group ? CheckName("a group name", entry.substr(kGroupPrefix.size()))
                         : CheckName("a user id", entry);
    if (!named.ok()) {
      return Status::InvalidArgument("'approvers': entry " + std::to_string(i + 1) + " ('" +
                                     std::string(entry) + "'): " + named.message());
    }
  }
  return Status::Ok();
}

json::object ToInput(const AgentGateRequest& request) {
  json::object input{{"title", request.title},
                     {"message", request.message},
                     {"context", request.context}};
  if (!request.approvers.empty()) {
    json::array approvers;
    for (const std::string& entry : request.approvers) approvers.emplace_back(entry);
    input["approvers"] = std::move(approvers);
  }
  if (!request.timeout.empty()) input["timeout"] = request.timeout;
  return input;
}

}  // namespace assent::engine
