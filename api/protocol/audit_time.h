// What the server and its clients agree on about the audit's time bounds (`?since=`,
// `?until=`, and the CLI's `--since`/`--until`, checked before sending): a point in time,
// written either as an RFC 3339 date-time or as a duration back from now.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/status.h"

namespace assent::api {

// Milliseconds since the Unix epoch of `text`:
//   - an RFC 3339 date-time, "2026-11-30T09:00:00Z", "2026-11-30T10:00:00.250+01:00" (a
//     lowercase t or z, or a space for the T, are accepted as RFC 3339 allows; fractions
//     beyond milliseconds are cut; a leap second :60 is refused);
//   - a duration before `now_ms`: digits then ms, s, m, h or d ("24h", "90m", "7d"), at most
//     100 years.
// kInvalidArgument naming `parameter` otherwise.
Result<int64_t> ParseAuditTime(std::string_view text, std::string_view parameter, int64_t now_ms);

}  // namespace assent::api
