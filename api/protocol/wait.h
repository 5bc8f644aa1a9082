// What the server and its clients agree on about waiting for a run's result: the syntax of
// `?wait=` (server) and `--wait` (CLI, which must know how long the server may take to answer).
#pragma once

#include <chrono>
#include <string_view>

#include "base/status.h"

namespace assent::api {

// The longest a request may wait for a run to finish (?wait=): a forgotten long poll holds a
// connection and a waiter for at most this long. A client that needs longer polls again.
inline constexpr std::chrono::milliseconds kMaxWait = std::chrono::seconds(60);

// A wait for a run's result, "<digits>ms" or "<digits>s": above 0 and at most kMaxWait.
Result<std::chrono::milliseconds> ParseWait(std::string_view text);

}  // namespace assent::api
