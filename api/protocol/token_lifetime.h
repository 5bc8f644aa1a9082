// What the server and its clients agree on about a token's lifetime: the syntax of
// "expires_in" (REST) and `--expires` (CLI, which checks it before sending).
#pragma once

#include <chrono>
#include <string_view>

#include "base/status.h"

namespace assent::api {

// The longest lifetime a token may be given: ten years of 365 days.
inline constexpr std::chrono::seconds kMaxTokenLifetime = std::chrono::hours(24 * 3650);

// "<digits><unit>" with the unit s, m, h or d ("90d", "12h"): above 0, at most
// kMaxTokenLifetime.
Result<std::chrono::seconds> ParseTokenLifetime(std::string_view text);

}  // namespace assent::api
