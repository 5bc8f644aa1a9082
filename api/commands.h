// Turns client JSON into engine commands. The REST routes and the WebSocket both go through
// these, so a decision or a comment is validated the same way whichever way it arrives. A body
// with a field the command does not know is refused. Failures are Status::InvalidArgument
// (mapped to 400 "invalid_argument"). The actor is the authenticated caller, never a name the
// body chose. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "engine/engine.h"

namespace assent::api {

// Arrays and objects nested deeper than this are refused (Boost.JSON's default; the parser
// recurses per level, and no workflow input needs more).
inline constexpr size_t kMaxJsonDepth = 32;

// Parses `text` as a JSON object; an empty text is {}. nullopt (with `why`) if it is not JSON,
// is nested deeper than kMaxJsonDepth, or is not an object.
std::optional<boost::json::object> ParseJsonObject(std::string_view text, std::string* why);

// The longest Idempotency-Key header accepted.
inline constexpr size_t kMaxIdempotencyKeyBytes = 256;
// The start keys of inbound webhooks (engine HookStartKey) begin so; a client's may not.
inline constexpr std::string_view kHookKeyPrefix = "hook:";

// {"input": {...}} with input optional (default {}). `idempotency_key`: empty, or at most
// kMaxIdempotencyKeyBytes of printable ASCII.
Result<engine::StartRunCommand> ParseStartRun(std::string_view workflow,
                                              const boost::json::object& body,
                                              std::string idempotency_key, engine::Actor actor);
// An Idempotency-Key header's value: at most kMaxIdempotencyKeyBytes of printable ASCII.
Status CheckIdempotencyKey(std::string_view idempotency_key);
// POST /v1/gates: the engine checks the request's fields (engine/internal/agent_gate.h), as it
// does for an embedding program.
Result<engine::OpenGateCommand> ParseOpenGate(boost::json::object body,
                                              std::string idempotency_key, engine::Actor actor);
// {"decision": "approve"|"reject", "comment": "..."}; a rejection needs a non-empty comment.
Result<engine::DecideCommand> ParseDecide(std::string_view approval_id,
                                          const boost::json::object& body, engine::Actor actor);
// {"text": "..."} with a non-empty text.
Result<engine::CommentCommand> ParseComment(std::string_view approval_id,
                                            const boost::json::object& body, engine::Actor actor);
// {"reason": "..."} with the reason optional.
Result<engine::CancelCommand> ParseCancel(std::string_view run_id, const boost::json::object& body,
                                          engine::Actor actor);
// An empty body, or {}: a retry takes no fields.
Result<engine::RetryCommand> ParseRetry(std::string_view run_id, const boost::json::object& body,
                                        engine::Actor actor);

}  // namespace assent::api
