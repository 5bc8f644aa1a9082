#include "api/commands.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>

#include <boost/json/parse_options.hpp>

#include "api/json_fields.h"
#include "base/json_text.h"

namespace assent::api {

namespace json = boost::json;

std::optional<json::object> ParseJsonObject(std::string_view text, std::string* why) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return json::object();
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  UntrustedJson parsed = ParseUntrustedJson(text, options);
  if (parsed.ec) {
    *why = "body " + parsed.why;
    return std::nullopt;
  }
  json::value& value = parsed.value;
  if (!value.is_object()) {
    *why = "body must be a JSON object";
    return std::nullopt;
  }
  return std::move(value.get_object());
}

Status CheckIdempotencyKey(std::string_view idempotency_key) {
  // The key is stored with the run and shown in its events: printable ASCII only (as an
  // Idempotency-Key is meant to be), so no header byte can make that JSON invalid.
  if (idempotency_key.size() > kMaxIdempotencyKeyBytes ||
      !std::all_of(idempotency_key.begin(), idempotency_key.end(),
                   [](char c) { return c >= 0x20 && c <= 0x7e; })) {
    return Status::InvalidArgument("Idempotency-Key must be at most " +
                                   std::to_string(kMaxIdempotencyKeyBytes) +
                                   " printable ASCII characters");
  }
  return Status::Ok();
}

Result<engine::StartRunCommand> ParseStartRun(std::string_view workflow, const json::object& body,
                                              std::string idempotency_key, engine::Actor actor) {
  if (Status known = CheckKnownFields(body, {"input"}); !known.ok()) return known;
  if (Status key = CheckIdempotencyKey(idempotency_key); !key.ok()) return key;
  if (idempotency_key.starts_with(kHookKeyPrefix)) {
    return Status::InvalidArgument("an Idempotency-Key may not start with \"hook:\": those are "
                                   "the delivery ids of the workflow's inbound webhooks");
  }
  engine::StartRunCommand command;
  command.actor = std::move(actor);
  command.workflow = std::string(workflow);
  command.idempotency_key = std::move(idempotency_key);
  if (const json::value* input = body.if_contains("input"); input != nullptr) {
    if (!input->is_object()) return Status::InvalidArgument("\"input\" must be a JSON object");
    command.input = input->get_object();
  }
  return command;
}

Result<engine::OpenGateCommand> ParseOpenGate(json::object body, std::string idempotency_key,
                                              engine::Actor actor) {
  if (Status key = CheckIdempotencyKey(idempotency_key); !key.ok()) return key;
  return engine::OpenGateCommand{json::value(std::move(body)), std::move(idempotency_key),
                                 std::move(actor)};
}

Result<engine::DecideCommand> ParseDecide(std::string_view approval_id, const json::object& body,
                                          engine::Actor actor) {
  if (Status known = CheckKnownFields(body, {"decision", "comment", "edits"}); !known.ok()) {
    return known;
  }
  Result<std::string> decision_text = RequiredString(body, "decision");
  if (!decision_text.ok()) return decision_text.status();
  std::optional<engine::Decision> decision = engine::ParseDecision(*decision_text);
  if (!decision) return Status::InvalidArgument("\"decision\" must be \"approve\" or \"reject\"");
  Result<std::string> comment = OptionalString(body, "comment");
  if (!comment.ok()) return comment.status();
  if (*decision == engine::Decision::kReject && comment->empty()) {
    return Status::InvalidArgument("a rejection needs a non-empty \"comment\"");
  }
  engine::DecideCommand command;
  if (const json::value* edits = body.if_contains("edits"); edits != nullptr) {
    if (!edits->is_object()) {
      return Status::InvalidArgument("\"edits\" must be a JSON object of shown fields");
    }
    if (*decision == engine::Decision::kReject && !edits->as_object().empty()) {
      return Status::InvalidArgument("only an approval carries \"edits\"");
    }
    command.edits = edits->as_object();
  }
  command.approval_id = std::string(approval_id);
  command.decision = *decision;
  command.actor = std::move(actor);
  command.comment = std::move(comment).value();
  return command;
}

Result<engine::CommentCommand> ParseComment(std::string_view approval_id, const json::object& body,
                                            engine::Actor actor) {
  if (Status known = CheckKnownFields(body, {"text"}); !known.ok()) return known;
  Result<std::string> text = RequiredString(body, "text");
  if (!text.ok()) return text.status();
  engine::CommentCommand command;
  command.approval_id = std::string(approval_id);
  command.actor = std::move(actor);
  command.text = std::move(text).value();
  return command;
}

Result<engine::CancelCommand> ParseCancel(std::string_view run_id, const json::object& body,
                                          engine::Actor actor) {
  if (Status known = CheckKnownFields(body, {"reason"}); !known.ok()) return known;
  Result<std::string> reason = OptionalString(body, "reason");
  if (!reason.ok()) return reason.status();
  engine::CancelCommand command;
  command.run_id = std::string(run_id);
  command.actor = std::move(actor);
  command.reason = std::move(reason).value();
  return command;
}

Result<engine::RetryCommand> ParseRetry(std::string_view run_id, const json::object& body,
                                        engine::Actor actor) {
  if (Status known = CheckKnownFields(body, {}); !known.ok()) return known;
  engine::RetryCommand command;
  command.run_id = std::string(run_id);
  command.actor = std::move(actor);
  return command;
}

}  // namespace assent::api
