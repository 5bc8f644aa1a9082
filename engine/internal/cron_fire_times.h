// When a cron expression fires in a time zone: the instants at which the zone's wall clock
// shows a time the expression matches, read from the system's time zone database
// (/usr/share/zoneinfo, through Howard Hinnant's date/tz library).
//
// Daylight saving: a matched local time that does not exist (the clock springs forward over it)
// fires at the first instant after the gap, once however many matched times fell into it; a
// local time that occurs twice (the clock falls back) fires once, at its first occurrence.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/internal/cron_expression.h"

namespace assent::engine {

// Whether the time zone database knows `zone` ("Europe/Berlin", "UTC").
bool IsKnownTimeZone(std::string_view zone);

// The first fire time strictly after `after_ms` (unix ms), in unix ms; none when `zone` is
// unknown. Every expression CronExpression::Parse accepts fires within 41 years (a day of month
// and a weekday that must both hold can be 40 years apart).
std::optional<int64_t> NextFireTime(const CronExpression& cron, std::string_view zone,
                                    int64_t after_ms);

// The fire times in (`after_ms`, `until_ms`], oldest first: the newest `keep` of them.
// `*earlier_left_out` (when not null) tells whether older ones in the span were left out. It
// looks back from `until_ms` in growing steps, so a long span (a server down for months under
// "* * * * *") costs little more than the fire times kept.
std::vector<int64_t> FireTimesBetween(const CronExpression& cron, std::string_view zone,
                                      int64_t after_ms, int64_t until_ms, size_t keep,
                                      bool* earlier_left_out = nullptr);

}  // namespace assent::engine
