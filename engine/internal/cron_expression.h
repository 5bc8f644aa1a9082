// CronExpression: a standard five-field cron expression, "minute hour day-of-month month
// day-of-week", parsed and matched against local calendar times. Pure: no clock, no time zone
// (cron_fire_times.h turns it into instants in a zone).
//
// Each field is `*`, a value, a range `a-b`, any of these with a step (`*/15`, `1-30/2`, `5/10`
// meaning 5-max/10), or a comma-separated list of them. Months take JAN-DEC and days of week
// SUN-SAT (any case); day of week 0 and 7 are both Sunday. As in Vixie cron, when both
// day-of-month and day-of-week are restricted (neither starts with `*`), a day matches when
// either does; otherwise both must. No seconds field, no `?`, `L`, `W`, `#` or `@` macros.
//
// Thread-safe: immutable once parsed.
#pragma once

#include <bitset>
#include <cstdint>
#include <string_view>

#include "base/status.h"

namespace assent::engine {

class CronExpression {
 public:
  // kInvalidArgument naming the field and what is wrong with it, e.g.
  // "day-of-week: 'FUN' is not a number or a day name (SUN-SAT)". Also refused: an expression
  // that can never fire ("0 0 31 2 *": no February has a 31st).
  static Result<CronExpression> Parse(std::string_view text);

  // `month` 1-12, `day` 1-31, `weekday` 0-6 (0: Sunday).
  bool MatchesDay(unsigned month, unsigned day, unsigned weekday) const;
  bool MatchesHour(unsigned hour) const { return hours_[hour]; }
  bool MatchesMinute(unsigned minute) const { return minutes_[minute]; }

  bool operator==(const CronExpression&) const = default;

 private:
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;      // 1-31
  std::bitset<13> months_;    // 1-12
  std::bitset<7> weekdays_;   // 0-6, 0: Sunday
  bool day_restricted_ = false;
  bool weekday_restricted_ = false;
};

}  // namespace assent::engine
