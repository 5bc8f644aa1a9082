// Points in time as run data gives them to a wait step's `until`: RFC 3339 text
// ("2026-12-01T09:00:00Z", "2026-12-01T10:00:00.250+01:00") or a number of unix milliseconds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "base/status.h"

namespace assent::engine {

// Unix milliseconds, or kInvalidArgument saying what is wrong with `text`. The date and time
// are read by strptime (a date that does not exist, like February 30, is refused); seconds
// may have a fraction (milliseconds kept), and the offset is Z or +HH:MM / -HH:MM. Times before
// 1970 or after 9999 (UTC) are refused.
Result<int64_t> ParseRfc3339(std::string_view text);

// A rendered `until`: an integer (unix ms) or RFC 3339 text.
Result<int64_t> TimeOf(const boost::json::value& value);

// `ms` as RFC 3339 UTC with milliseconds ("2026-12-01T09:00:00.000Z").
std::string FormatRfc3339(int64_t ms);

}  // namespace assent::engine
