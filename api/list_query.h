// What the list endpoints (GET /v1/runs, GET /v1/approvals) take besides filters they share
// with the engine: the paging cursor and the age bounds.
//
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace assent::api {

// `?after=` cursors are opaque to clients: base64url (no padding) of where the engine's page
// ended. Decoding refuses text that is not one (kInvalidArgument).
std::string EncodeCursor(std::string_view position);
Result<std::string> DecodeCursor(std::string_view cursor);

// An age bound (`?older_than=`, `?newer_than=`) as a point in time, ms since the epoch: a
// duration back from `now` ("90s", "30m", "24h", "7d"; a positive whole number and one unit) or
// an RFC 3339 time ("2026-11-30T04:00:00Z", "2026-11-30T05:00:00.250+01:00").
Result<int64_t> ParseAgeBound(std::string_view text, std::chrono::system_clock::time_point now);

}  // namespace assent::api
