// Cron expressions (a schedule's `cron`), optionally followed by a newline and a time zone
// name, from arbitrary bytes.
// Properties: an expression is accepted or refused with a message naming its field (or the
// field count); an accepted one fires within the promised 41 years, strictly after the time
// asked about, at a whole minute; in UTC that minute matches the expression; the fire time
// after it is later still.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <date/date.h>

#include "engine/internal/cron_expression.h"
#include "engine/internal/cron_fire_times.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

bool NamesItsField(const std::string& message) {
  for (std::string_view prefix : {"minute: ", "hour: ", "day-of-month: ", "month: ",
                                  "day-of-week: ", "expected 5 fields "}) {
    if (message.starts_with(prefix)) return true;
  }
  return false;
}

// Whether `ms` (UTC) is a whole minute the expression matches.
bool MatchesInUtc(const assent::engine::CronExpression& cron, int64_t ms) {
  using namespace std::chrono;
  const date::sys_time<milliseconds> at{milliseconds(ms)};
  const date::sys_days day = date::floor<date::days>(at);
  const auto in_day = date::make_time(at - day);
  const date::year_month_day ymd{day};
  return in_day.seconds().count() == 0 && in_day.subseconds().count() == 0 &&
         cron.MatchesMinute(static_cast<unsigned>(in_day.minutes().count())) &&
         cron.MatchesHour(static_cast<unsigned>(in_day.hours().count())) &&
         cron.MatchesDay(static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                         date::weekday{day}.c_encoding());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace assent::engine;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  std::string_view text = input.substr(0, newline);
  std::string zone = newline == std::string_view::npos ? "UTC"
                                                       : std::string(input.substr(newline + 1));
  auto cron = CronExpression::Parse(text);
  if (!cron.ok()) {
    FUZZ_CHECK(cron.status().code() == assent::StatusCode::kInvalidArgument);
    FUZZ_CHECK(NamesItsField(cron.status().message()));
    return 0;
  }
  // A time that depends on the input, between 2026 and about 2030, not on a whole minute.
  const int64_t after = 1'770'000'000'123 + static_cast<int64_t>(size % 97) * 1'234'567'891;
  std::optional<int64_t> next = NextFireTime(*cron, zone, after);
  FUZZ_CHECK(next.has_value() == IsKnownTimeZone(zone));
  if (!next) return 0;
  FUZZ_CHECK(*next > after);
  FUZZ_CHECK(*next - after <= int64_t{41} * 366 * 86'400'000);
  FUZZ_CHECK(*next % 60'000 == 0);
  if (zone == "UTC") FUZZ_CHECK(MatchesInUtc(*cron, *next));
  std::optional<int64_t> later = NextFireTime(*cron, zone, *next);
  FUZZ_CHECK(later && *later > *next);
  return 0;
}
