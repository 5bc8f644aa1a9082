#include "api/app/demo_records.h"

#include <array>
#include <cstdio>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>

#include "base/ascii.h"

namespace assent::app {

namespace {

constexpr std::array<std::string_view, 8> kFirstNames = {
    "Ada", "Bruno", "Chiara", "Dmitri", "Elif", "Farid", "Grace", "Hiro"};
constexpr std::array<std::string_view, 5> kLastNames = {"Lindqvist", "Okafor", "Moreau",
                                                        "Tanaka", "Alvarez"};

std::string IsoDate(std::chrono::sys_days day) {
  std::chrono::year_month_day ymd(day);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return text;
}

// RFC 3339 in UTC, at `minutes` past midnight of `day`.
std::string IsoTime(std::chrono::sys_days day, int minutes) {
  char text[16];
  std::snprintf(text, sizeof text, "T%02d:%02d:00Z", minutes / 60 % 24, minutes % 60);
  return IsoDate(day) + text;
}

}  // namespace

boost::json::object DemoRecords(std::chrono::sys_days today) {
  boost::json::array records;
  for (int i = 0; i < kDemoRecordCount; ++i) {
    // Every first name meets every last name once across the 40 records.
    std::string_view first = kFirstNames[i % kFirstNames.size()];
    std::string_view last = kLastNames[i / kFirstNames.size()];
    char id[16];
    std::snprintf(id, sizeof id, "cus_%03d", i + 1);
    records.push_back(boost::json::object{
        {"id", id},
        {"name", std::string(first) + " " + std::string(last)},
        {"email", AsciiLower(first) + "." + AsciiLower(last) + "@example.com"},
        {"created", IsoTime(today - std::chrono::days(7 * i + 3), 8 * 60 + 37 * i)}});
  }
  return {{"as_of", IsoDate(today)}, {"records", std::move(records)}};
}

}  // namespace assent::app
