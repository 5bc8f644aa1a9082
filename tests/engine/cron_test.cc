// CronExpression (parsing and matching) and cron_fire_times (instants in a time zone, across
// month ends, leap days and daylight-saving changes).
#include <string>

#include <gtest/gtest.h>

#include "engine/internal/cron_expression.h"
#include "engine/internal/cron_fire_times.h"
#include "engine/internal/time_text.h"

namespace assent::engine {
namespace {

int64_t Ms(const std::string& rfc3339) {
  Result<int64_t> ms = ParseRfc3339(rfc3339);
  EXPECT_TRUE(ms.ok()) << rfc3339;
  return ms.ok() ? *ms : 0;
}

std::string ParseError(const std::string& text) {
  Result<CronExpression> parsed = CronExpression::Parse(text);
  EXPECT_FALSE(parsed.ok()) << text;
  return parsed.ok() ? "" : parsed.status().message();
}

// The next fire time of `cron` in `zone` after `after` (RFC 3339), as RFC 3339 UTC.
std::string Next(const std::string& cron, const std::string& zone, const std::string& after) {
  Result<CronExpression> parsed = CronExpression::Parse(cron);
  EXPECT_TRUE(parsed.ok()) << cron << ": " << parsed.status().ToString();
  if (!parsed.ok()) return "";
  std::optional<int64_t> next = NextFireTime(*parsed, zone, Ms(after));
  return next ? FormatRfc3339(*next) : "none";
}

TEST(CronExpressionTest, InvalidExpressionsSayWhatIsWrong) {
  EXPECT_EQ(ParseError("0 9 * *"),
            "expected 5 fields (minute hour day-of-month month day-of-week), got 4");
  EXPECT_EQ(ParseError("0 0 9 * * *").substr(0, 20), "expected 5 fields (m");
  EXPECT_EQ(ParseError(""), "expected 5 fields (minute hour day-of-month month day-of-week), "
                            "got 0");
  EXPECT_EQ(ParseError("60 * * * *"), "minute: 60 is out of range 0-59");
  EXPECT_EQ(ParseError("* 24 * * *"), "hour: 24 is out of range 0-23");
  EXPECT_EQ(ParseError("* * 0 * *"), "day-of-month: 0 is out of range 1-31");
  EXPECT_EQ(ParseError("* * * 13 *"), "month: 13 is out of range 1-12");
  EXPECT_EQ(ParseError("* * * * 8"), "day-of-week: 8 is out of range 0-7");
  EXPECT_EQ(ParseError("* * * * FUN"),
            "day-of-week: 'FUN' is not a number or a day name (SUN-SAT)");
  EXPECT_EQ(ParseError("* * * JANUARY *"),
            "month: 'JANUARY' is not a number or a month name (JAN-DEC)");
  EXPECT_EQ(ParseError("*/0 * * * *"), "minute: step 0 is out of range 1-59");
  EXPECT_EQ(ParseError("*/x * * * *"), "minute: step 'x' is not a number");
  EXPECT_EQ(ParseError("5-1 * * * *"), "minute: range '5-1' goes backwards");
  EXPECT_EQ(ParseError("1,,2 * * * *"), "minute: an empty list item");
  EXPECT_EQ(ParseError("-5 * * * *"), "minute: '' is not a number");
  EXPECT_EQ(ParseError("? * * * *"), "minute: '?' is not a number");
  EXPECT_EQ(ParseError("0 0 31 2 *"),
            "day-of-month: no selected month has the selected days, so the expression never "
            "fires");
  EXPECT_EQ(ParseError("0 0 30,31 2 *").substr(0, 40), "day-of-month: no selected month has the ");
}

TEST(CronExpressionTest, AcceptsStandardForms) {
  for (const char* text : {"* * * * *", "0 9 * * MON-FRI", "*/15 * * * *", "0 1-5/2 * * *",
                           "5/10 * * * *", "0 0 1,15 * *", "0 9 * jan,Jul sun", "0 0 29 2 *",
                           "0 0 30 2 MON", "0 0 * * 7", "  0\t9  *  *  * "}) {
    EXPECT_TRUE(CronExpression::Parse(text).ok()) << text;
  }
}

TEST(CronExpressionTest, MatchesFieldsStepsAndNames) {
  auto cron = CronExpression::Parse("5/20 1-5/2 * FEB-MAR SUN,7");
  ASSERT_TRUE(cron.ok());
  EXPECT_TRUE(cron->MatchesMinute(5));
  EXPECT_TRUE(cron->MatchesMinute(25));
  EXPECT_TRUE(cron->MatchesMinute(45));
  EXPECT_FALSE(cron->MatchesMinute(0));
  EXPECT_TRUE(cron->MatchesHour(1));
  EXPECT_TRUE(cron->MatchesHour(3));
  EXPECT_TRUE(cron->MatchesHour(5));
  EXPECT_FALSE(cron->MatchesHour(2));
  EXPECT_FALSE(cron->MatchesHour(7));
  EXPECT_TRUE(cron->MatchesDay(2, 10, 0));   // a Sunday in February
  EXPECT_FALSE(cron->MatchesDay(2, 10, 1));  // a Monday
  EXPECT_FALSE(cron->MatchesDay(4, 10, 0));  // April
}

TEST(CronExpressionTest, DayOfMonthOrDayOfWeekWhenBothAreRestricted) {
  auto both = CronExpression::Parse("0 0 13 * FRI");
  ASSERT_TRUE(both.ok());
  EXPECT_TRUE(both->MatchesDay(1, 13, 3));  // the 13th, a Wednesday
  EXPECT_TRUE(both->MatchesDay(1, 8, 5));   // a Friday, the 8th
  EXPECT_FALSE(both->MatchesDay(1, 9, 6));
  // A field that starts with `*` is unrestricted, as in Vixie cron: then both must match.
  auto starred = CronExpression::Parse("0 0 */2 * FRI");
  ASSERT_TRUE(starred.ok());
  EXPECT_TRUE(starred->MatchesDay(1, 1, 5));
  EXPECT_FALSE(starred->MatchesDay(1, 2, 5));
  EXPECT_FALSE(starred->MatchesDay(1, 3, 3));
}

TEST(CronFireTimesTest, WeekdaysAndSteps) {
  // 2027-01-15 is a Friday: after its 09:00 comes Monday's.
  EXPECT_EQ(Next("0 9 * * MON-FRI", "UTC", "2027-01-15T09:00:00Z"), "2027-01-18T09:00:00.000Z");
  EXPECT_EQ(Next("0 9 * * MON-FRI", "UTC", "2027-01-15T08:59:59.999Z"),
            "2027-01-15T09:00:00.000Z");
  EXPECT_EQ(Next("*/15 * * * *", "UTC", "2027-01-15T10:07:30Z"), "2027-01-15T10:15:00.000Z");
  EXPECT_EQ(Next("*/15 * * * *", "UTC", "2027-01-15T23:59:00Z"), "2027-01-16T00:00:00.000Z");
  EXPECT_EQ(Next("0 0 * * 0", "UTC", "2027-01-15T00:00:00Z"), "2027-01-17T00:00:00.000Z");
  EXPECT_EQ(Next("0 0 * * 7", "UTC", "2027-01-15T00:00:00Z"), "2027-01-17T00:00:00.000Z");
  // Either the 13th or a Friday: Friday the 8th comes first, then Wednesday the 13th.
  EXPECT_EQ(Next("0 0 13 * FRI", "UTC", "2027-01-01T00:00:00Z"), "2027-01-08T00:00:00.000Z");
  EXPECT_EQ(Next("0 0 13 * FRI", "UTC", "2027-01-08T00:00:00Z"), "2027-01-13T00:00:00.000Z");
}

TEST(CronFireTimesTest, MonthEndsAndLeapDays) {
  // Months without a 31st are skipped.
  EXPECT_EQ(Next("0 0 31 * *", "UTC", "2027-01-31T00:00:00Z"), "2027-03-31T00:00:00.000Z");
  EXPECT_EQ(Next("0 0 30 * *", "UTC", "2027-01-30T00:00:00Z"), "2027-03-30T00:00:00.000Z");
  EXPECT_EQ(Next("59 23 * * *", "UTC", "2027-12-31T23:59:00Z"), "2028-01-01T23:59:00.000Z");
  // 29 February: the next leap year, and across 2100, which is none.
  EXPECT_EQ(Next("0 12 29 2 *", "UTC", "2027-01-01T00:00:00Z"), "2028-02-29T12:00:00.000Z");
  EXPECT_EQ(Next("0 12 29 2 *", "UTC", "2096-03-01T00:00:00Z"), "2104-02-29T12:00:00.000Z");
}

TEST(CronFireTimesTest, ADayAndAWeekdayThatMustBothHoldMayBeDecadesApart) {
  // Found by cron_fuzz: the 1st, 8th, ... of March on a Sunday; none from 2027 to 2036. The
  // search used to stop after nine years and such a schedule never fired.
  EXPECT_EQ(Next("51 2/1 */7 3 7", "UTC", "2026-08-21T03:45:50Z"), "2037-03-01T02:51:00.000Z");
  // 29 February on a Sunday: 2088, then 2128 (2100 is no leap year).
  EXPECT_EQ(Next("0 12 29 2 */7", "UTC", "2088-03-01T00:00:00Z"), "2128-02-29T12:00:00.000Z");
}

TEST(CronFireTimesTest, ZoneOffsets) {
  EXPECT_EQ(Next("0 9 * * *", "Europe/Berlin", "2027-01-15T00:00:00Z"),
            "2027-01-15T08:00:00.000Z");  // CET, UTC+1
  EXPECT_EQ(Next("0 9 * * *", "Europe/Berlin", "2027-07-15T00:00:00Z"),
            "2027-07-15T07:00:00.000Z");  // CEST, UTC+2
  EXPECT_EQ(Next("0 9 * * *", "America/New_York", "2027-01-15T00:00:00Z"),
            "2027-01-15T14:00:00.000Z");  // EST, UTC-5
  // The local day decides the weekday: Monday 00:30 in Berlin is Sunday 23:30 UTC.
  EXPECT_EQ(Next("30 0 * * MON", "Europe/Berlin", "2027-01-16T00:00:00Z"),
            "2027-01-17T23:30:00.000Z");
}

TEST(CronFireTimesTest, SpringForwardFiresOnceAtTheEndOfTheGap) {
  // Berlin, 2027-03-28: 02:00 CET becomes 03:00 CEST (01:00 UTC). 02:30 does not exist.
  EXPECT_EQ(Next("30 2 * * *", "Europe/Berlin", "2027-03-27T12:00:00Z"),
            "2027-03-28T01:00:00.000Z");
  EXPECT_EQ(Next("30 2 * * *", "Europe/Berlin", "2027-03-28T01:00:00Z"),
            "2027-03-29T00:30:00.000Z");
  // Four matched times in the gap fire once; 03:00 is the same instant, also once.
  EXPECT_EQ(Next("*/15 2,3 * * *", "Europe/Berlin", "2027-03-27T12:00:00Z"),
            "2027-03-28T01:00:00.000Z");
  EXPECT_EQ(Next("*/15 2,3 * * *", "Europe/Berlin", "2027-03-28T01:00:00Z"),
            "2027-03-28T01:15:00.000Z");
  // New York, 2027-03-14: 02:00 EST becomes 03:00 EDT (07:00 UTC).
  EXPECT_EQ(Next("30 2 * * *", "America/New_York", "2027-03-13T12:00:00Z"),
            "2027-03-14T07:00:00.000Z");
}

TEST(CronFireTimesTest, FallBackFiresOnceAtTheFirstOccurrence) {
  // Berlin, 2027-10-31: 03:00 CEST becomes 02:00 CET; 02:30 happens at 00:30 and 01:30 UTC.
  EXPECT_EQ(Next("30 2 * * *", "Europe/Berlin", "2027-10-30T12:00:00Z"),
            "2027-10-31T00:30:00.000Z");
  EXPECT_EQ(Next("30 2 * * *", "Europe/Berlin", "2027-10-31T00:30:00Z"),
            "2027-11-01T01:30:00.000Z");
  // Every 20 minutes: the repeated hour's second pass fires nothing.
  EXPECT_EQ(Next("*/20 * * * *", "Europe/Berlin", "2027-10-31T00:40:00Z"),
            "2027-10-31T02:00:00.000Z");
  // New York, 2027-11-07: 02:00 EDT becomes 01:00 EST; 01:30 happens at 05:30 and 06:30 UTC.
  EXPECT_EQ(Next("30 1 * * *", "America/New_York", "2027-11-06T12:00:00Z"),
            "2027-11-07T05:30:00.000Z");
  EXPECT_EQ(Next("30 1 * * *", "America/New_York", "2027-11-07T05:30:00Z"),
            "2027-11-08T06:30:00.000Z");
}

TEST(CronFireTimesTest, UnknownZones) {
  EXPECT_TRUE(IsKnownTimeZone("UTC"));
  EXPECT_TRUE(IsKnownTimeZone("Europe/Berlin"));
  EXPECT_FALSE(IsKnownTimeZone("Europe/Atlantis"));
  EXPECT_FALSE(IsKnownTimeZone(""));
  EXPECT_EQ(Next("* * * * *", "Mars/Olympus", "2027-01-15T00:00:00Z"), "none");
}

TEST(CronFireTimesTest, FireTimesBetweenKeepsTheNewest) {
  auto cron = CronExpression::Parse("* * * * *");
  ASSERT_TRUE(cron.ok());
  bool left_out = false;
  // Thirty days of minutes: only the newest three, found without walking the month.
  std::vector<int64_t> times = FireTimesBetween(*cron, "UTC", Ms("2027-01-01T00:00:00Z"),
                                                Ms("2027-01-31T10:00:30Z"), 3, &left_out);
  EXPECT_EQ(times, (std::vector<int64_t>{Ms("2027-01-31T09:58:00Z"), Ms("2027-01-31T09:59:00Z"),
                                         Ms("2027-01-31T10:00:00Z")}));
  EXPECT_TRUE(left_out);
  // A short span: all of them, none left out; the start itself is excluded.
  times = FireTimesBetween(*cron, "UTC", Ms("2027-01-31T10:00:00Z"), Ms("2027-01-31T10:02:00Z"),
                           10, &left_out);
  EXPECT_EQ(times, (std::vector<int64_t>{Ms("2027-01-31T10:01:00Z"), Ms("2027-01-31T10:02:00Z")}));
  EXPECT_FALSE(left_out);
  // Exactly `keep` in a span longer than the first look back: nothing left out.
  auto daily = CronExpression::Parse("0 9 * * *");
  ASSERT_TRUE(daily.ok());
  times = FireTimesBetween(*daily, "UTC", Ms("2027-01-01T10:00:00Z"), Ms("2027-01-03T10:00:00Z"),
                           2, &left_out);
  EXPECT_EQ(times, (std::vector<int64_t>{Ms("2027-01-02T09:00:00Z"), Ms("2027-01-03T09:00:00Z")}));
  EXPECT_FALSE(left_out);
}

}  // namespace
}  // namespace assent::engine
