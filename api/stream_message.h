// A reviewer's text message on /v1/stream, parsed into what it asks for. The WebSocket session
// acts on the result; the parsing is a pure function so that it can be tested and fuzzed
// without a socket. "decide" and "comment" are validated by the same functions as their REST
// twins (api/commands.h). Pure; thread-safe.
//
// Before the session has authenticated, only {"type":"auth","token","since"?,"page_size"?} is
// taken; anything else is Unauthorized (and the session closes). After,
// {"type":"decide"|"comment","id",...} become engine commands on the reviewer's behalf,
// {"type":"snapshot.more","after","limit"?} asks for the next snapshot page; anything else is
// an error to answer with (the session stays open).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/value.hpp>

#include "api/errors.h"
#include "engine/actor.h"
#include "engine/engine.h"

namespace assent::api {

// The most approvals one snapshot page holds, and what a client gets when it asks for none.
inline constexpr size_t kMaxSnapshotPage = 500;

// Where a stream starts: from the upgrade URL's query (?since=&page_size=) or the auth message.
struct StreamStart {
  std::optional<uint64_t> since;  // the cursor of the last message the client has
  size_t page_size = kMaxSnapshotPage;  // 1 .. kMaxSnapshotPage
};

// {"type":"auth"}: the token to check (empty when the message carries none), and where to
// start. `start` fields the message leaves out keep the upgrade URL's.
struct StreamAuth {
  std::string token;
  std::optional<uint64_t> since;
  std::optional<size_t> page_size;
};

// {"type":"snapshot.more","after","limit"?}: the snapshot page after the one whose "next" was
// `after`.
struct StreamSnapshotMore {
  std::string after;
  size_t limit = kMaxSnapshotPage;
};

struct StreamMessage {
  boost::json::value req;  // the client's "req", echoed in the answer; null when absent
  std::variant<ApiError, StreamAuth, engine::DecideCommand, engine::CommentCommand,
               StreamSnapshotMore>
      request;
};

// `caller`: who the session is authenticated as (the commands act as them); nullopt before
// authentication.
StreamMessage ParseStreamMessage(std::string_view text,
                                 const std::optional<engine::Principal>& caller);

// The stream's start from the upgrade request's target ("/v1/stream?since=42&page_size=100");
// kInvalidArgument naming the parameter when one is malformed. Other parameters are ignored.
Result<StreamStart> ParseStreamTarget(std::string_view target);

}  // namespace assent::api
