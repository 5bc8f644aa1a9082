#include "engine/internal/definition.h"

#include <algorithm>
#include <array>
#include <set>

#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include "base/json_text.h"
#include "engine/internal/definition_checks.h"
#include "engine/internal/duration_text.h"
#include "engine/internal/http_step_rules.h"
#include "engine/internal/lua_sandbox.h"
#include "engine/internal/notify_targets.h"
#include "engine/internal/template.h"
#include "engine/internal/tool_gate.h"

namespace assent::engine {
namespace {

namespace json = boost::json;

// Which fields each step type accepts; anything else is a typo worth reporting.
const std::set<std::string_view>& AllowedFields(StepType type) {
  static const std::set<std::string_view> kCode{"id",   "type", "next", "lua",
                                                "require_approval", "on_reject"};
  static const std::set<std::string_view> kCondition{"id", "type", "if", "then", "else"};
  static const std::set<std::string_view> kApproval{
      "id",        "type",          "next",          "message", "show",
      "on_reject", "approvers",     "self_approval", "timeout", "on_timeout",
      "quorum",    "reject_quorum", "remind_after",  "escalate", "edits"};
  static const std::set<std::string_view> kWait{"id", "type", "next", "for", "until"};
  static const std::set<std::string_view> kNotify{"id", "type", "next", "target", "message"};
  static const std::set<std::string_view> kHttp{
      "id",           "type",       "next",    "method",          "url",   "allow_hosts",
      "body",         "headers",    "ca_file", "max_connections", "retry", "max_attempts",
      "timeout",      "timeout_ms", "on_error", "require_approval", "on_reject", "approve_retries"};
  switch (type) {
    case StepType::kCode: return kCode;
    case StepType::kCondition: return kCondition;
    case StepType::kApproval: return kApproval;
    case StepType::kHttp: return kHttp;
    case StepType::kWait: return kWait;
    case StepType::kNotify: return kNotify;
  }
  return kCode;
}

std::optional<StepType> ParseStepType(std::string_view text) {
  if (text == "code") return StepType::kCode;
  if (text == "condition") return StepType::kCondition;
  if (text == "http") return StepType::kHttp;
  if (text == "approval") return StepType::kApproval;
  if (text == "wait") return StepType::kWait;
  if (text == "notify") return StepType::kNotify;
  return std::nullopt;
}

// Reads fields of one step object, remembering the first problem so the parser stays linear.
class StepReader {
 public:
  StepReader(const json::object& object, std::string step_label)
      : object_(object), label_(std::move(step_label)) {}

  // A string field; `required` missing or a non-string value is an error.
  std::string String(std::string_view field, bool required) {
    const json::value* value = object_.if_contains(field);
    if (value == nullptr) {
      if (required) Fail("missing required field '" + std::string(field) + "'");
      return {};
    }
    if (!value->is_string()) {
      Fail("'" + std::string(field) + "' must be a string");
      return {};
    }
    if (required && value->as_string().empty()) {
      Fail("'" + std::string(field) + "' must not be empty");
    }
    return std::string(value->as_string());
  }

  std::optional<uint32_t> Count(std::string_view field, uint32_t min, uint32_t max) {
    const json::value* value = object_.if_contains(field);
    if (value == nullptr) return std::nullopt;
    if (!value->is_int64() || value->as_int64() < min || value->as_int64() > max) {
      Fail("'" + std::string(field) + "' must be an integer from " + std::to_string(min) +
           " to " + std::to_string(max));
      return std::nullopt;
    }
    return static_cast<uint32_t>(value->as_int64());
  }

  void Fail(const std::string& problem) {
    if (error_.empty()) error_ = label_ + ": " + problem;
  }
  // Takes the first problem `inner` (which reads a field's object) found.
  void Take(const StepReader& inner) {
    if (!inner.error().empty()) Fail(inner.error());
  }
  void Check(const Status& status, std::string_view field) {
    if (!status.ok()) Fail("'" + std::string(field) + "': " + status.message());
  }
  const std::string& error() const { return error_; }

 private:
  const json::object& object_;
  std::string label_;
  std::string error_;
};

void ReadGate(const json::object& object, StepReader& reader, StepDefinition& step);

void ReadCode(const json::object& object, StepReader& reader, StepDefinition& step) {
  step.lua = reader.String("lua", true);
  if (!step.lua.empty()) reader.Check(LuaSandbox::CheckChunk(step.lua), "lua");
  ReadGate(object, reader, step);
}

void ReadCondition(StepReader& reader, StepDefinition& step) {
  step.condition = reader.String("if", true);
  step.then_step = reader.String("then", true);
  step.else_step = reader.String("else", true);
  if (!step.condition.empty()) reader.Check(LuaSandbox::CheckExpression(step.condition), "if");
}

// A timer's duration field (`timeout`, `remind_after`): 1 s to 366 d; 0 when absent or refused.
int64_t ReadTimerDuration(StepReader& reader, std::string_view field) {
  std::string text = reader.String(field, false);
  if (text.empty()) return 0;
  Result<int64_t> ms = ParseDuration(text);
  reader.Check(ms.status(), field);
  if (!ms.ok()) return 0;
  if (*ms < 1'000 || *ms > kMaxTimerMs) {
    reader.Fail("'" + std::string(field) + "' must be from 1s to 366d");
    return 0;
  }
  return *ms;
}

void ReadTimeout(StepReader& reader, StepDefinition& step) {
  std::string timeout = reader.String("timeout", false);
  std::string on_timeout = reader.String("on_timeout", false);
  step.approval_timeout_ms = ReadTimerDuration(reader, "timeout");
  if (on_timeout.empty()) return;
  if (timeout.empty()) reader.Fail("'on_timeout' needs a 'timeout'");
  if (on_timeout == "fail") {
    step.on_timeout = OnTimeout::kFail;
  } else if (on_timeout == "approve") {
    step.on_timeout = OnTimeout::kApprove;
  } else if (on_timeout == "reject") {
    step.on_timeout = OnTimeout::kReject;
  } else {
    reader.Fail("'on_timeout' must be \"fail\", \"approve\" or \"reject\"");
  }
}

// The most distinct reviewers a quorum may ask for.
constexpr uint32_t kMaxQuorum = 100;

void ReadQuorums(const json::object& object, StepReader& reader, StepDefinition& step) {
  const json::value* quorum = object.if_contains("quorum");
  if (quorum != nullptr && quorum->is_string()) {
    if (quorum->as_string() != "all") {
      reader.Fail("'quorum' must be an integer from 1 to " + std::to_string(kMaxQuorum) +
                  " or \"all\"");
    }
    step.quorum_all = true;  // counted out against the deciding list (CountOutQuorums)
  } else if (auto count = reader.Count("quorum", 1, kMaxQuorum)) {
    step.quorum = *count;
  }
  if (auto count = reader.Count("reject_quorum", 1, kMaxQuorum)) step.reject_quorum = *count;
}

// The most rungs an escalation ladder may have.
constexpr size_t kMaxRungs = 5;

// `escalate`: a rung {"approvers": [...], "timeout": "24h"}, or a list of them taken in turn.
void ReadEscalation(const json::object& object, StepReader& reader, StepDefinition& step) {
  step.remind_after_ms = ReadTimerDuration(reader, "remind_after");
  if (step.remind_after_ms > 0 && step.approval_timeout_ms > 0 &&
      step.remind_after_ms >= step.approval_timeout_ms) {
    reader.Fail("'remind_after' must be shorter than 'timeout' (a reminder after the timeout "
                "would never be sent)");
  }
  const json::value* escalate = object.if_contains("escalate");
  if (escalate == nullptr) return;
  if (step.approval_timeout_ms == 0) reader.Fail("'escalate' needs a 'timeout' to escalate on");
  json::array rungs = escalate->is_array() ? escalate->as_array() : json::array{*escalate};
  if (rungs.empty() || rungs.size() > kMaxRungs) {
    reader.Fail("'escalate' must be a rung or a list of 1 to " + std::to_string(kMaxRungs) +
                " rungs");
  }
  for (size_t i = 0; i < rungs.size() && i < kMaxRungs; ++i) {
    std::string where = "'escalate' rung " + std::to_string(i + 1);
    if (!rungs[i].is_object()) {
      reader.Fail(where + " must be an object: {\"approvers\": [...], \"timeout\": \"24h\"}");
      return;
    }
    const json::object& rung_object = rungs[i].as_object();
    for (const auto& entry : rung_object) {
      if (entry.key() != "approvers" && entry.key() != "timeout") {
        reader.Fail(where + ": unknown field '" + std::string(entry.key()) +
                    "' (a rung takes approvers and timeout)");
      }
    }
    StepReader rung_reader(rung_object, where);
    EscalationRung rung;
    rung.timeout_ms = ReadTimerDuration(rung_reader, "timeout");
    const json::value* approvers = rung_object.if_contains("approvers");
    auto parsed = approvers != nullptr ? AccessList::Parse(*approvers)
                                       : Result<AccessList>(Status::InvalidArgument(
                                             "missing: who decides on this rung"));
    if (parsed.ok()) rung.approvers = std::move(parsed).value();
    rung_reader.Check(parsed.status(), "approvers");
    if (rung_reader.error().empty() && rung.timeout_ms == 0) {
      rung_reader.Fail("missing required field 'timeout'");
    }
    if (!rung_reader.error().empty()) reader.Fail(rung_reader.error());
    step.escalate.push_back(std::move(rung));
  }
}

// `edits`: true (any shown field), false (none), or the names of the fields of `show` that an
// approval may replace.
void ReadEdits(const json::object& object, StepReader& reader, StepDefinition& step) {
  const json::value* edits = object.if_contains("edits");
  if (edits == nullptr) return;
  if (edits->is_bool()) {
    step.edits_allowed = edits->as_bool();
    return;
  }
  step.edits_allowed = true;
  constexpr std::string_view kShape =
      "'edits' must be true, false or a non-empty list of fields of 'show'";
  if (!edits->is_array() || edits->as_array().empty()) return reader.Fail(std::string(kShape));
  const json::object* show = step.show.if_object();
  for (const json::value& field : edits->as_array()) {
    if (!field.is_string()) return reader.Fail(std::string(kShape));
    std::string name(field.as_string());
    if (show == nullptr || !show->contains(name)) {
      return reader.Fail("'edits' names '" + name + "', which 'show' does not have");
    }
    if (std::find(step.editable_fields.begin(), step.editable_fields.end(), name) !=
        step.editable_fields.end()) {
      return reader.Fail("'edits' names '" + name + "' twice");
    }
    step.editable_fields.push_back(std::move(name));
  }
}

// Who decides an approval, and within what time: the fields an approval step and a tool gate
// share.
void ReadDeciders(const json::object& object, StepReader& reader, StepDefinition& step) {
  if (const json::value* approvers = object.if_contains("approvers")) {
    auto parsed = AccessList::Parse(*approvers);
    if (parsed.ok()) step.approvers = std::move(parsed).value();
    reader.Check(parsed.status(), "approvers");
  }
  if (const json::value* self_approval = object.if_contains("self_approval")) {
    if (!self_approval->is_bool()) reader.Fail("'self_approval' must be true or false");
    step.self_approval = !self_approval->is_bool() || self_approval->as_bool();
  }
  ReadTimeout(reader, step);
  ReadEscalation(object, reader, step);
  ReadQuorums(object, reader, step);
}

void ReadApproval(const json::object& object, StepReader& reader, StepDefinition& step) {
  step.message = reader.String("message", true);
  reader.Check(CheckTemplate(step.message), "message");
  step.on_reject = reader.String("on_reject", false);
  if (const json::value* show = object.if_contains("show")) {
    if (!show->is_object()) reader.Fail("'show' must be an object");
    step.show = *show;
  } else {
    step.show = json::object();
  }
  reader.Check(CheckTemplateValue(step.show), "show");
  ReadDeciders(object, reader, step);
  ReadEdits(object, reader, step);
}

// The fields of `require_approval` as an object.
constexpr std::array<std::string_view, 12> kGateFields{
    "when",         "message",  "show",   "approvers",    "self_approval", "timeout",
    "on_timeout",   "remind_after", "escalate", "quorum", "reject_quorum", "edits"};

// A gate's `show`: context for the reviewer beside the call (a preview of the records a delete
// removes), in fields the call's own do not use.
void ReadGateShow(const json::object& gate, StepReader& reader, StepDefinition& step) {
  const json::value* show = gate.if_contains("show");
  if (show == nullptr) return;
  if (!show->is_object()) return reader.Fail("'show' must be an object");
  for (std::string_view own : kGateCallFields) {
    if (show->as_object().contains(own)) {
      return reader.Fail("'show' may not name '" + std::string(own) +
                         "': the approval shows the call's own there");
    }
  }
  step.show = *show;
  reader.Check(CheckTemplateValue(step.show), "show");
}

// A gate's `edits`: an http call's body may be changed (true, or ["body"]); its method, URL and
// headers stay as shown, and a code step's Lua is not data to edit.
void ReadGateEdits(const json::object& gate, StepReader& reader, StepDefinition& step) {
  const json::value* edits = gate.if_contains("edits");
  if (edits == nullptr || (edits->is_bool() && !edits->as_bool())) return;
  if (step.type != StepType::kHttp) return reader.Fail("'edits': a code step's call takes none");
  if (*edits != json::value(true) && *edits != json::value(json::array{"body"})) {
    return reader.Fail("'edits' must be true, false or [\"body\"]: a reviewer may change the "
                       "request's body; its method, URL and headers stay as shown");
  }
  if (step.body.is_null()) return reader.Fail("'edits': the request has no body to edit");
  step.edits_allowed = true;
  step.editable_fields = {"body"};
}

// `require_approval` (tool_gate.h): true, false, a Lua condition on the request, or an object
// with `when` (the condition) and an approval step's fields (message, approvers, self_approval,
// timeout, on_timeout, remind_after, escalate, quorum, reject_quorum, edits). `on_reject` and
// (http) `approve_retries` stand beside it on the step.
void ReadGate(const json::object& object, StepReader& reader, StepDefinition& step) {
  step.on_reject = reader.String("on_reject", false);
  if (const json::value* retries = object.if_contains("approve_retries")) {
    if (!retries->is_bool()) reader.Fail("'approve_retries' must be true or false");
    step.approve_retries = retries->is_bool() && retries->as_bool();
  }
  const json::value* gate = object.if_contains("require_approval");
  if (gate == nullptr || (gate->is_bool() && !gate->as_bool())) {
    if (!step.on_reject.empty()) reader.Fail("'on_reject' needs 'require_approval'");
    if (step.approve_retries) reader.Fail("'approve_retries' needs 'require_approval'");
    return;
  }
  step.gate = Gate::kAlways;
  auto read_when = [&](const json::value& when) {
    if (!when.is_string() || when.as_string().empty()) {
      return reader.Fail("'require_approval': 'when' must be a Lua condition");
    }
    step.gate = Gate::kWhen;
    step.gate_when = std::string(when.as_string());
    reader.Check(LuaSandbox::CheckExpression(step.gate_when), "require_approval");
  };
  if (gate->is_bool()) return;
  if (gate->is_string()) return read_when(*gate);
  if (!gate->is_object()) {
    return reader.Fail("'require_approval' must be true, false, a Lua condition on the request "
                       "or an object ({\"when\", \"approvers\", \"timeout\", ...})");
  }
  const json::object& options = gate->as_object();
  StepReader gate_reader(options, "'require_approval'");
  for (const auto& entry : options) {
    if (std::find(kGateFields.begin(), kGateFields.end(), entry.key()) == kGateFields.end()) {
      gate_reader.Fail("unknown field '" + std::string(entry.key()) +
                       "' (expected when, message, show, approvers, self_approval, timeout, "
                       "on_timeout, remind_after, escalate, quorum, reject_quorum or edits)");
    }
  }
  if (const json::value* when = options.if_contains("when")) read_when(*when);
  step.message = gate_reader.String("message", false);
  gate_reader.Check(CheckTemplate(step.message), "message");
  ReadGateShow(options, gate_reader, step);
  ReadDeciders(options, gate_reader, step);
  ReadGateEdits(options, gate_reader, step);
  reader.Take(gate_reader);
}

void ReadWait(StepReader& reader, StepDefinition& step) {
  std::string wait_for = reader.String("for", false);
  step.wait_until = reader.String("until", false);
  if (wait_for.empty() == step.wait_until.empty()) {
    reader.Fail("a wait step takes either 'for' (a duration) or 'until' (a time), not both");
    return;
  }
  if (!wait_for.empty()) {
    Result<int64_t> ms = ParseDuration(wait_for);
    reader.Check(ms.status(), "for");
    if (ms.ok() && (*ms < 1 || *ms > kMaxTimerMs)) {
      reader.Fail("'for' must be from 1ms to 366d");
    }
    if (ms.ok()) step.wait_for_ms = *ms;
  }
  reader.Check(CheckTemplate(step.wait_until), "until");
}

// The longest one attempt of an http step may take.
constexpr int64_t kMaxHttpTimeoutMs = 600'000;

// How long each attempt may take (`timeout`, or the older `timeout_ms`) and how failed ones are
// retried (`retry`, or the older top-level `max_attempts`).
void ReadHttpAttempts(const json::object& object, StepReader& reader, StepDefinition& step) {
  step.retry.max_attempts = reader.Count("max_attempts", 1, kMaxHttpAttempts);
  step.timeout_ms = reader.Count("timeout_ms", 1, kMaxHttpTimeoutMs);
  if (std::string timeout = reader.String("timeout", false); !timeout.empty()) {
    Result<int64_t> ms = ParseDuration(timeout);
    reader.Check(ms.status(), "timeout");
    if (ms.ok() && (*ms < 1 || *ms > kMaxHttpTimeoutMs)) {
      reader.Fail("'timeout' must be from 1ms to 10m");
    }
    if (step.timeout_ms) reader.Fail("'timeout' and 'timeout_ms' say the same: give one");
    if (ms.ok()) step.timeout_ms = static_cast<uint32_t>(*ms);
  }
  if (const json::value* retry = object.if_contains("retry")) {
    if (step.retry.max_attempts && retry->is_object() &&
        retry->as_object().contains("max_attempts")) {
      reader.Fail("'max_attempts' is given twice, on the step and in 'retry': give one");
    }
    if (Status parsed = ParseHttpRetry(*retry, step.retry); !parsed.ok()) {
      reader.Fail(parsed.message());  // it names 'retry' and the field
    }
  }
}

// A notify step: a message template and the target it is posted to, written as a workflow's
// notify targets are.
void ReadNotify(const json::object& object, StepReader& reader, StepDefinition& step) {
  step.message = reader.String("message", true);
  reader.Check(CheckTemplate(step.message), "message");
  const json::value* target = object.if_contains("target");
  if (target == nullptr) {
    reader.Fail("missing required field 'target' ({\"url\": ..., \"format\": \"json\" or "
                "\"slack\", \"secret\": ..., \"ca_file\": ...})");
    return;
  }
  auto parsed = ParseNotifyTarget(*target, "'target'");  // the reader adds the step
  if (parsed.ok()) {
    step.target = std::move(parsed).value();
  } else {
    reader.Fail(parsed.status().message());
  }
}

void ReadHttp(const json::object& object, StepReader& reader, StepDefinition& step) {
  static constexpr std::array<std::string_view, 5> kMethods{"GET", "POST", "PUT", "PATCH",
                                                            "DELETE"};
  step.method = reader.String("method", false);
  if (step.method.empty()) step.method = "POST";
  if (std::find(kMethods.begin(), kMethods.end(), step.method) == kMethods.end()) {
    reader.Fail("'method' must be one of GET, POST, PUT, PATCH, DELETE");
  }
  step.url = reader.String("url", true);
  reader.Check(CheckTemplate(step.url), "url");
  if (step.url.find("{{") == std::string::npos && !step.url.empty()) {
    auto url = boost::urls::parse_absolute_uri(step.url);
    if (!url) {
      reader.Fail("'url' is not an absolute URL");
    } else if (url->scheme() != "http" && url->scheme() != "https") {
      reader.Fail("'url' must use http:// or https://");
    }
  }
  step.ca_file = reader.String("ca_file", false);
  reader.Check(CheckCaFile(step.ca_file), "ca_file");
  if (const json::value* allow_hosts = object.if_contains("allow_hosts")) {
    auto parsed = HostAllowList::Parse(*allow_hosts);
    if (parsed.ok()) step.allow_hosts = std::move(parsed).value();
    reader.Check(parsed.status(), "allow_hosts");
  }
  if (const json::value* body = object.if_contains("body")) step.body = *body;
  reader.Check(CheckTemplateValue(step.body), "body");
  if (const json::value* headers = object.if_contains("headers")) {
    if (!headers->is_object()) {
      reader.Fail("'headers' must be an object of strings");
    } else {
      for (const auto& [key, value] : headers->as_object()) {
        if (!value.is_string()) reader.Fail("header '" + std::string(key) + "' must be a string");
      }
      step.headers = headers->as_object();
      reader.Check(CheckTemplateValue(step.headers), "headers");
    }
  }
  step.max_connections = reader.Count("max_connections", 1, 1'000);
  step.on_error = reader.String("on_error", false);
  ReadHttpAttempts(object, reader, step);
  ReadGate(object, reader, step);
}

Result<StepDefinition> ParseStep(const json::value& value, size_t position) {
  std::string label = "step #" + std::to_string(position + 1);
  if (!value.is_object()) return Status::InvalidArgument(label + ": must be an object");
  const json::object& object = value.as_object();
  StepDefinition step;
  {
    StepReader id_reader(object, label);
    step.id = id_reader.String("id", true);
    if (!id_reader.error().empty()) return Status::InvalidArgument(id_reader.error());
  }
  label = "step '" + step.id + "'";
  StepReader reader(object, label);
  if (!IsValidName(step.id)) reader.Fail("id must be 1-128 characters of A-Z a-z 0-9 _ -");
  if (step.id == kEndStep) reader.Fail("id 'end' is reserved");
  std::string type_name = reader.String("type", true);
  auto type = ParseStepType(type_name);
  if (!type) {
    reader.Fail("unknown type '" + type_name +
                "' (expected code, condition, http, approval, wait or notify)");
    return Status::InvalidArgument(reader.error());
  }
  step.type = *type;
  for (const auto& entry : object) {
    if (!AllowedFields(step.type).contains(entry.key())) {
      reader.Fail("unknown field '" + std::string(entry.key()) + "' for a " + type_name +
                  " step");
    }
  }
  step.next = reader.String("next", false);
  switch (step.type) {
    case StepType::kCode: ReadCode(object, reader, step); break;
    case StepType::kCondition: ReadCondition(reader, step); break;
    case StepType::kApproval: ReadApproval(object, reader, step); break;
    case StepType::kHttp: ReadHttp(object, reader, step); break;
    case StepType::kWait: ReadWait(reader, step); break;
    case StepType::kNotify: ReadNotify(object, reader, step); break;
  }
  if (!reader.error().empty()) return Status::InvalidArgument(reader.error());
  return step;
}

// Where a step's approval fields are written: on the step, or under a tool gate's
// `require_approval` object.
std::string ApprovalFieldsOf(const StepDefinition& step) {
  return "step '" + step.id + "': " + (step.gate == Gate::kNone ? "" : "'require_approval': ");
}

// Whether a quorum can be reached by who may decide: its step's `approvers`, else the
// workflow's `editors`, and each rung of its `escalate` ladder. Where such a list names only
// users, "all" is their number, and neither quorum may ask for more than the list holds (less
// the run's starter under "self_approval": false), nor both together for more than one vote
// beyond it (else a split vote leaves the approval pending with nobody left to decide). Where a
// list names a group or "*", its size is unknown here and "all" has nothing to count.
Status CheckQuorumsCanBeReached(const StepDefinition& step, std::string_view list,
                                std::optional<size_t> users) {
  auto fail = [&](std::string_view field, const std::string& problem) {
    return Status::InvalidArgument(ApprovalFieldsOf(step) + "'" + std::string(field) + "' " +
                                   problem);
  };
  if (!users) return Status::Ok();
  // Under "self_approval": false the starter may be on the list and may not vote.
  size_t voters = step.self_approval ? *users : *users - 1;
  std::string who = std::to_string(*users) + " user(s) " + std::string(list) + " name";
  if (!step.self_approval) who += " (less the run's starter: \"self_approval\": false)";
  const std::pair<std::string_view, uint32_t> quorums[] = {{"quorum", step.quorum},
                                                           {"reject_quorum", step.reject_quorum}};
  for (const auto& [field, quorum] : quorums) {
    if (quorum > voters) {
      return fail(field, "is " + std::to_string(quorum) + ", more than the " + who + " can give");
    }
  }
  if (step.quorum + step.reject_quorum > voters + 1) {
    return fail("reject_quorum", "and 'quorum' together (" + std::to_string(step.reject_quorum) +
                                     " + " + std::to_string(step.quorum) + ") ask for more than " +
                                     "one vote beyond the " + who + ": a split vote would leave it "
                                     "undecided with nobody left to vote");
  }
  return Status::Ok();
}

Status CountOutQuorums(WorkflowDefinition& definition) {
  for (StepDefinition& step : definition.steps) {
    if (step.type != StepType::kApproval && step.gate == Gate::kNone) continue;
    const bool named = !step.approvers.empty();
    std::string list = named ? "its 'approvers'" : "the workflow's 'editors'";
    std::optional<size_t> users =
        (named ? step.approvers : definition.access.editors).KnownUsers();
    if (users && *users == 0) users.reset();  // no editors: admins decide, any number of them
    if (step.quorum_all) {
      if (!users) {
        return Status::InvalidArgument(
            ApprovalFieldsOf(step) + "'quorum' \"all\" needs a list of users to count, but " +
            list +
            (named || !definition.access.editors.empty() ? " name a group or \"*\""
                                                         : " are not given"));
      }
      step.quorum = static_cast<uint32_t>(*users);
    }
    if (step.quorum == 1 && step.reject_quorum == 1) continue;
    if (Status reached = CheckQuorumsCanBeReached(step, list, users); !reached.ok()) {
      return reached;
    }
    for (size_t i = 0; i < step.escalate.size(); ++i) {
      std::string rung = "the approvers of 'escalate' rung " + std::to_string(i + 1);
      std::optional<size_t> rung_users = step.escalate[i].approvers.KnownUsers();
      if (Status reached = CheckQuorumsCanBeReached(step, rung, rung_users); !reached.ok()) {
        return reached;
      }
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view ToString(OnTimeout action) {
  switch (action) {
    case OnTimeout::kFail: return "fail";
    case OnTimeout::kApprove: return "approve";
    case OnTimeout::kReject: return "reject";
  }
  return "fail";
}

Status CheckNewDefinition(const WorkflowDefinition& definition) {
  if (definition.schedule) {
    if (Status zone = CheckScheduleTimeZone(*definition.schedule); !zone.ok()) return zone;
  }
  for (const StepDefinition& step : definition.steps) {
    if (step.type != StepType::kHttp) continue;
    if (Status status = CheckHttpStep(step); !status.ok()) {
      return Status::InvalidArgument("step '" + step.id + "': " + status.message());
    }
  }
  return CheckStepFlow(definition);
}

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

const StepDefinition* WorkflowDefinition::Find(std::string_view step_id) const {
  auto it = index_.find(std::string(step_id));
  return it == index_.end() ? nullptr : &steps[it->second];
}

std::string WorkflowDefinition::NextAfter(const StepDefinition& step) const {
  if (!step.next.empty()) return step.next;
  size_t position = index_.at(step.id);
  return position + 1 < steps.size() ? steps[position + 1].id : std::string(kEndStep);
}

Result<std::shared_ptr<const WorkflowDefinition>> ParseDefinition(std::string_view name,
                                                                  const json::value& json) {
  if (!IsValidName(name)) {
    return Status::InvalidArgument("workflow name must be 1-128 characters of A-Z a-z 0-9 _ -");
  }
  if (!json.is_object()) return Status::InvalidArgument("a definition must be a JSON object");
  // Stored as text and read back at every start: what cannot be read back is refused here.
  if (Status writable = CheckJsonWritable(json, "definition"); !writable.ok()) return writable;
  const json::object& object = json.as_object();
  for (const auto& entry : object) {
    bool access = std::find(kWorkflowAccessFields.begin(), kWorkflowAccessFields.end(),
                            entry.key()) != kWorkflowAccessFields.end();
    if (entry.key() != "name" && entry.key() != "steps" && entry.key() != "description" &&
        entry.key() != "notify" && entry.key() != "hooks" && entry.key() != "disabled" &&
        entry.key() != "schedule" &&
        !access) {
      return Status::InvalidArgument("unknown field '" + std::string(entry.key()) + "'");
    }
  }
  if (const json::value* declared = object.if_contains("name")) {
    if (!declared->is_string() || declared->as_string() != name) {
      return Status::InvalidArgument("'name' in the document must be \"" + std::string(name) +
                                     "\"");
    }
  }
  const json::value* steps = object.if_contains("steps");
  if (steps == nullptr || !steps->is_array() || steps->as_array().empty()) {
    return Status::InvalidArgument("'steps' must be a non-empty array");
  }

  auto definition = std::make_shared<WorkflowDefinition>();
  definition->name = std::string(name);
  definition->source = json;
  if (const json::value* disabled = object.if_contains("disabled")) {
    if (!disabled->is_bool()) return Status::InvalidArgument("'disabled' must be true or false");
    definition->disabled = disabled->as_bool();
  }
  if (const json::value* schedule = object.if_contains("schedule")) {
    auto parsed = ParseSchedule(*schedule);
    if (!parsed.ok()) return parsed.status();
    definition->schedule = std::move(parsed).value();
  }
  if (const json::value* notify = object.if_contains("notify")) {
    auto targets = ParseNotifyTargets(*notify);
    if (!targets.ok()) return targets.status();
    definition->notify = std::move(targets).value();
  }
  if (const json::value* hooks = object.if_contains("hooks")) {
    auto parsed = ParseInboundHooks(*hooks);
    if (!parsed.ok()) return parsed.status();
    definition->hooks = std::move(parsed).value();
  }
  if (Status access = ReadWorkflowAccess(object, &definition->access); !access.ok()) {
    return access;
  }
  for (const json::value& value : steps->as_array()) {
    auto step = ParseStep(value, definition->steps.size());
    if (!step.ok()) return step.status();
    if (definition->index_.contains(step->id)) {
      return Status::InvalidArgument("step '" + step->id + "': duplicate id");
    }
    definition->index_.emplace(step->id, definition->steps.size());
    definition->access.approvers.Add(step->approvers);
    for (const EscalationRung& rung : step->escalate) {
      definition->access.approvers.Add(rung.approvers);
    }
    definition->steps.push_back(std::move(step).value());
  }

  if (Status quorums = CountOutQuorums(*definition); !quorums.ok()) return quorums;

  // Every named successor must exist (or be "end").
  for (const StepDefinition& step : definition->steps) {
    const std::pair<std::string_view, const std::string&> targets[] = {
        {"next", step.next},
        {"then", step.then_step},
        {"else", step.else_step},
        {"on_reject", step.on_reject},
        {"on_error", step.on_error}};
    for (const auto& [field, target] : targets) {
      if (!target.empty() && target != kEndStep && definition->Find(target) == nullptr) {
        return Status::InvalidArgument("step '" + step.id + "': '" + std::string(field) +
                                       "' names unknown step '" + target + "'");
      }
    }
  }
  return std::shared_ptr<const WorkflowDefinition>(std::move(definition));
}

}  // namespace assent::engine
