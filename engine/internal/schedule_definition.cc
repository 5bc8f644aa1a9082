#include "engine/internal/schedule_definition.h"

#include <string_view>

#include "engine/internal/cron_fire_times.h"

namespace assent::engine {
namespace {

Status FieldError(std::string_view field, const std::string& what) {
  return Status::InvalidArgument("'schedule': '" + std::string(field) + "' " + what);
}

}  // namespace

Result<ScheduleDefinition> ParseSchedule(const boost::json::value& json) {
  if (!json.is_object()) return Status::InvalidArgument("'schedule' must be an object");
  const boost::json::object& object = json.as_object();
  for (const auto& entry : object) {
    std::string_view key = entry.key();
    if (key != "cron" && key != "timezone" && key != "input" && key != "catch_up" &&
        key != "max_catch_up") {
      return Status::InvalidArgument("'schedule': unknown field '" + std::string(key) + "'");
    }
  }
  ScheduleDefinition schedule;
  const boost::json::value* cron = object.if_contains("cron");
  if (cron == nullptr || !cron->is_string()) {
    return FieldError("cron", "must be a string such as \"0 9 * * MON-FRI\"");
  }
  schedule.cron_text = std::string(cron->as_string());
  Result<CronExpression> parsed = CronExpression::Parse(schedule.cron_text);
  if (!parsed.ok()) return FieldError("cron", "is not valid: " + parsed.status().message());
  schedule.cron = *parsed;
  if (const boost::json::value* zone = object.if_contains("timezone")) {
    if (!zone->is_string() || zone->as_string().empty() || zone->as_string().size() > 64) {
      return FieldError("timezone", "must be a time zone name such as \"Europe/Berlin\"");
    }
    schedule.timezone = std::string(zone->as_string());
  }
  if (const boost::json::value* input = object.if_contains("input")) {
    if (!input->is_object()) return FieldError("input", "must be an object");
    schedule.input = input->as_object();
  }
  if (const boost::json::value* catch_up = object.if_contains("catch_up")) {
    std::string_view policy = catch_up->is_string() ? std::string_view(catch_up->as_string())
                                                    : std::string_view();
    if (policy == "none") {
      schedule.catch_up = CatchUp::kNone;
    } else if (policy == "latest") {
      schedule.catch_up = CatchUp::kLatest;
    } else if (policy == "all") {
      schedule.catch_up = CatchUp::kAll;
    } else {
      return FieldError("catch_up", "must be \"none\", \"latest\" or \"all\"");
    }
  }
  if (const boost::json::value* bound = object.if_contains("max_catch_up")) {
    if (!bound->is_int64() || bound->as_int64() < 1 || bound->as_int64() > kMaxMaxCatchUp) {
      return FieldError("max_catch_up",
                        "must be an integer from 1 to " + std::to_string(kMaxMaxCatchUp));
    }
    schedule.max_catch_up = static_cast<uint32_t>(bound->as_int64());
  }
  return schedule;
}

Status CheckScheduleTimeZone(const ScheduleDefinition& schedule) {
  if (IsKnownTimeZone(schedule.timezone)) return Status::Ok();
  return FieldError("timezone", "names no time zone the server knows: \"" + schedule.timezone +
                                    "\" (IANA names such as \"Europe/Berlin\" or \"UTC\")");
}

}  // namespace assent::engine
