// Durations as workflow definitions write them: "90s", "15m", "24h", "7d", "1h30m", "500ms".
//
// One or more <digits><unit> parts, units ms, s, m, h, d, each at most once and from largest to
// smallest, so a duration reads one way only. No spaces, signs or fractions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace assent::engine {

// The duration in milliseconds, or kInvalidArgument saying what is wrong with `text`.
Result<int64_t> ParseDuration(std::string_view text);

// The shortest text ParseDuration reads back as `ms` ("1h30m", "90s", "0s").
std::string FormatDuration(int64_t ms);

}  // namespace assent::engine
