#include "tests/e2e/kill_loop/schedule_check.h"

#include <chrono>
#include <map>

#include <boost/json/parse.hpp>
#include <date/date.h>
#include <boost/json/serialize.hpp>

#include "tests/e2e/kill_loop/check_failed.h"
#include "tests/e2e/kill_loop/json_fields.h"
#include "tests/e2e/kill_loop/paging.h"

namespace assent::testing::kill_loop {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;

constexpr int64_t kMinuteMs = 60'000;

// The server's times: "2026-12-01T04:55:00.000Z" (RFC 3339, UTC, milliseconds).
std::string FormatTime(int64_t ms) {
  return date::format("%FT%TZ", std::chrono::sys_time<milliseconds>(milliseconds(ms)));
}

// The workflow's next fire time as GET /v1/workflows/{name} says it (empty: not armed).
std::string NextFireAt(ApiClient& api) {
  HttpReply reply = api.Get(std::string("/v1/workflows/") + kScheduledWorkflowName);
  if (reply.status != 200) {
    throw CheckFailed("GET the scheduled workflow answered " + std::to_string(reply.status) +
                      ": " + reply.raw.substr(0, 300));
  }
  return StringAt(reply.body, "next_fire_at");
}

}  // namespace

std::string ScheduledWorkflowDefinition() {
  return std::string(R"({"name": ")") + kScheduledWorkflowName + R"(",
    "schedule": {"cron": "* * * * *", "timezone": "UTC", "catch_up": "all", "max_catch_up": 100,
                 "input": {"kind": "tick"}},
    "steps": [{"id": "tick", "type": "code", "lua": "return {at = input.scheduled_at}"}]})";
}

void ScheduleCheck::Apply(ApiClient& api) {
  HttpReply applied = api.Put(std::string("/v1/workflows/") + kScheduledWorkflowName,
                              json::parse(ScheduledWorkflowDefinition()));
  if (applied.status != 200) throw CheckFailed("applying the scheduled workflow: " + applied.raw);
  std::string next = NextFireAt(api);
  // Fire times are whole minutes: find this one's milliseconds by its text.
  int64_t now_ms = std::chrono::duration_cast<milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  for (int64_t minute = now_ms / kMinuteMs * kMinuteMs; minute < now_ms + 3 * kMinuteMs;
       minute += kMinuteMs) {
    if (FormatTime(minute) == next) first_fire_ms_ = minute;
  }
  if (first_fire_ms_ == 0) {
    throw CheckFailed("the scheduled workflow is armed for \"" + next + "\", not the next minute");
  }
}

size_t ScheduleCheck::Check(ApiClient& api) const {
  // Read first: every fire time before the one armed now has its run durable (the schedule
  // moves on only once its starts are). Runs started after this read are left out below.
  std::string armed = NextFireAt(api);
  if (armed.empty()) throw CheckFailed("the scheduled workflow is no longer armed");
  std::map<std::string, int> runs_by_fire_time;
  for (const json::value& run :
       ListEvery(api, std::string("/v1/runs?workflow=") + kScheduledWorkflowName + "&limit=1000",
                 "runs")) {
    const json::value* input = FieldAt(run, "input");
    std::string fire_time = input ? StringAt(*input, "scheduled_at") : "";
    if (++runs_by_fire_time[fire_time] > 1) {
      throw CheckFailed("fire time " + fire_time + " of " + kScheduledWorkflowName +
                        " started two runs");
    }
  }
  size_t fire_times = 0;
  for (int64_t minute = first_fire_ms_; FormatTime(minute) < armed; minute += kMinuteMs) {
    std::string fire_time = FormatTime(minute);
    if (!runs_by_fire_time.contains(fire_time)) {
      throw CheckFailed("fire time " + fire_time + " of " + kScheduledWorkflowName +
                        " started no run, and the schedule is armed for " + armed);
    }
    runs_by_fire_time.erase(fire_time);
    ++fire_times;
  }
  for (const auto& [fire_time, count] : runs_by_fire_time) {
    if (fire_time < armed) {
      throw CheckFailed(kScheduledWorkflowName + std::string(" has a run for ") + fire_time +
                        ", which is no fire time of its schedule");
    }
  }
  return fire_times;
}

}  // namespace assent::testing::kill_loop
