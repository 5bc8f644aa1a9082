// The audit's time bounds (api/protocol/audit_time.h): RFC 3339 date-times and durations back
// from now, and what is refused.
#include "api/protocol/audit_time.h"

#include <gtest/gtest.h>

namespace assent::api {
namespace {

constexpr int64_t kNow = 1'764'000'000'000;  // 2025-11-24T16:00:00Z

int64_t Parse(std::string_view text) {
  Result<int64_t> at = ParseAuditTime(text, "since", kNow);
  EXPECT_TRUE(at.ok()) << text << ": " << at.status().ToString();
  return at.ok() ? *at : -1;
}

TEST(AuditTimeTest, ReadsRfc3339DateTimes) {
  EXPECT_EQ(Parse("2025-11-24T16:00:00Z"), kNow);
  EXPECT_EQ(Parse("2025-11-24t16:00:00z"), kNow);
  EXPECT_EQ(Parse("2025-11-24 16:00:00Z"), kNow);
  EXPECT_EQ(Parse("2025-11-24T17:30:00+01:30"), kNow);
  EXPECT_EQ(Parse("2025-11-24T15:00:00-01:00"), kNow);
  EXPECT_EQ(Parse("2025-11-24T16:00:00.25Z"), kNow + 250);
  EXPECT_EQ(Parse("2025-11-24T16:00:00.123999Z"), kNow + 123) << "cut to milliseconds";
  EXPECT_EQ(Parse("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Parse("2024-02-29T00:00:00Z"), 1'709'164'800'000) << "a leap day";
}

TEST(AuditTimeTest, ReadsDurationsBackFromNow) {
  EXPECT_EQ(Parse("24h"), kNow - 24 * 3'600'000);
  EXPECT_EQ(Parse("90m"), kNow - 90 * 60'000);
  EXPECT_EQ(Parse("7d"), kNow - 7 * 86'400'000LL);
  EXPECT_EQ(Parse("30s"), kNow - 30'000);
  EXPECT_EQ(Parse("500ms"), kNow - 500);
  EXPECT_EQ(Parse("0s"), kNow);
}

TEST(AuditTimeTest, RefusesAnythingElseNamingTheParameter) {
  for (std::string_view bad :
       {"", "yesterday", "24", "h", "-1h", "1.5h", "24H", "99999999999999999999d",
        "40000d", "2025-11-24", "2025-11-24T16:00:00", "2025-11-24T16:00Z",
        "2025-02-29T00:00:00Z", "2025-11-24T24:00:00Z", "2025-11-24T16:00:60Z",
        "2025-11-24T16:00:00.Z", "2025-11-24T16:00:00+1:00", "2025-11-24T16:00:00+01:00 ",
        "2025-11-24X16:00:00Z", "２025-11-24T16:00:00Z"}) {
    Result<int64_t> at = ParseAuditTime(bad, "until", kNow);
    EXPECT_EQ(at.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(at.status().message().rfind("until ", 0), 0u) << bad;
  }
}

}  // namespace
}  // namespace assent::api
