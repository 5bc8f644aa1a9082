// Who asks the engine to do something. The api layer authenticates a request (a user's or
// service account's token, or the bootstrap admin token) and hands the engine the principal
// behind it; the engine records its id in the events it writes and checks the workflow's
// access lists against it. A client never names the actor itself.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace assent::engine {

// An authenticated caller.
struct Principal {
  std::string id;                   // user or service account id; "admin" for the admin token
  std::vector<std::string> groups;  // group names, without the "group:" prefix
  bool admin = false;               // admins may see and do everything
  bool service = false;             // a service account: a machine, never a reviewer

  bool operator==(const Principal&) const = default;
};

// How a command reached the server. The numbers are persisted in events: never change one.
// kHook: an inbound webhook (POST /v1/hooks/...), whose actor is "hook:<workflow>/<hook id>".
// kSchedule: the engine itself, at a workflow's schedule's fire time (no request).
enum class Channel : uint8_t { kUnknown = 0, kRest = 1, kStream = 2, kHook = 3, kSchedule = 4 };

// The principal behind one command, with where it came from: recorded in the events it causes.
struct Actor {
  Principal principal;
  Channel channel = Channel::kUnknown;
  std::string request_id;  // the server's id for the request or stream message; may be empty

  bool operator==(const Actor&) const = default;
};

}  // namespace assent::engine
