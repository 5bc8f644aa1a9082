// ScheduleDefinition: when a workflow starts runs by itself, read from its definition's
// `schedule`:
//
//   "schedule": {"cron": "0 9 * * MON-FRI", "timezone": "Europe/Berlin",
//                "input": {"report": "daily"}, "catch_up": "latest", "max_catch_up": 10}
//
// `cron` (required): five fields (cron_expression.h). `timezone`: an IANA zone name the
// system's time zone database knows (default "UTC"). `input`: the object each scheduled run
// starts with (default {}). `catch_up`: what happens to fire times missed while the server was
// down: "none" skips them, "latest" (the default) starts one run for the newest, "all" starts
// one for each, oldest first, at most `max_catch_up` of them (the newest; default 10, 1-1000).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "base/status.h"
#include "engine/internal/cron_expression.h"

namespace assent::engine {

enum class CatchUp { kNone, kLatest, kAll };

inline constexpr uint32_t kDefaultMaxCatchUp = 10;
inline constexpr uint32_t kMaxMaxCatchUp = 1000;

struct ScheduleDefinition {
  std::string cron_text;
  CronExpression cron;
  std::string timezone = "UTC";
  boost::json::object input;
  CatchUp catch_up = CatchUp::kLatest;
  uint32_t max_catch_up = kDefaultMaxCatchUp;

  // Same fire times: the cron and the zone (input and catch-up may change without moving them).
  bool SameTimes(const ScheduleDefinition& other) const {
    return cron == other.cron && timezone == other.timezone;
  }
  bool operator==(const ScheduleDefinition&) const = default;
};

// Reads a definition's `schedule` value. kInvalidArgument names the field:
// "'schedule': 'cron': hour: 24 is out of range 0-23". The time zone is checked against the
// database by CheckScheduleTimeZone, only when a definition is applied: a stored definition
// still loads when a later database has dropped its zone.
Result<ScheduleDefinition> ParseSchedule(const boost::json::value& schedule);
Status CheckScheduleTimeZone(const ScheduleDefinition& schedule);

}  // namespace assent::engine
