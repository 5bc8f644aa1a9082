// A reviewer's text message on /v1/stream, parsed into what it asks for. The WebSocket session
// acts on the result; the parsing is a pure function so that it can be tested and fuzzed
// without a socket. "decide" and "comment" are validated by the same functions as their REST
// twins (api/commands.h). Pure; thread-safe.
//
// Before the session has authenticated, only {"type":"auth","token"} is taken; anything else
// is Unauthorized (and the session closes). After, {"type":"decide"|"comment","id",...} become
// engine commands on the reviewer's behalf; anything else is an error to answer with.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/value.hpp>

#include "api/errors.h"
#include "engine/actor.h"
#include "engine/engine.h"

namespace assent::api {

// {"type":"auth"}: the token to check; empty when the message carries none.
struct StreamAuth {
  std::string token;
};

struct StreamMessage {
  boost::json::value req;  // the client's "req", echoed in the answer; null when absent
  std::variant<ApiError, StreamAuth, engine::DecideCommand, engine::CommentCommand> request;
};

// `caller`: who the session is authenticated as (the commands act as them); nullopt before
// authentication.
StreamMessage ParseStreamMessage(std::string_view text,
                                 const std::optional<engine::Principal>& caller);

}  // namespace assent::api
