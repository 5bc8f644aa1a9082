#include "engine/internal/time_text.h"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <limits>

#include <boost/json/serialize.hpp>

namespace assent::engine {
namespace {

Status Invalid(std::string_view text, std::string_view why) {
  return Status::InvalidArgument("\"" + std::string(text.substr(0, 64)) +
                                 "\" is not an RFC 3339 time (" + std::string(why) +
                                 "); write e.g. \"2026-12-01T09:00:00Z\"");
}

bool Digits(std::string_view text, size_t count) {
  if (text.size() < count) return false;
  for (size_t i = 0; i < count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

// From 1970 to the end of 9999 (UTC): what a timer can be due at and FormatRfc3339 can write.
Result<int64_t> InRange(std::string_view text, int64_t ms) {
  constexpr int64_t kEndOf9999 = 253'402'300'799'999;
  if (ms < 0 || ms > kEndOf9999) return Invalid(text, "it is before 1970 or after 9999");
  return ms;
}

}  // namespace

Result<int64_t> ParseRfc3339(std::string_view text) {
  // "YYYY-MM-DDTHH:MM:SS": fixed width, checked here so strptime reads nothing looser.
  constexpr size_t kDateTime = 19;
  if (text.size() < kDateTime || !Digits(text, 4) || text[4] != '-' || !Digits(text.substr(5), 2) ||
      text[7] != '-' || !Digits(text.substr(8), 2) || (text[10] != 'T' && text[10] != 't') ||
      !Digits(text.substr(11), 2) || text[13] != ':' || !Digits(text.substr(14), 2) ||
      text[16] != ':' || !Digits(text.substr(17), 2)) {
    return Invalid(text, "it must start YYYY-MM-DDTHH:MM:SS");
  }
  std::string date_time(text.substr(0, kDateTime));
  std::tm parts{};
  const char* end = strptime(date_time.c_str(), "%Y-%m-%dT%H:%M:%S", &parts);
  if (end == nullptr || *end != '\0') return Invalid(text, "the date or time is out of range");
  // strptime takes 2026-02-30 as March 2: a day that does not exist is refused.
  std::tm normalized = parts;
  time_t seconds = timegm(&normalized);
  if (normalized.tm_mday != parts.tm_mday || normalized.tm_mon != parts.tm_mon) {
    return Invalid(text, "that day does not exist");
  }
  int64_t ms = int64_t{seconds} * 1000;
  std::string_view rest = text.substr(kDateTime);
  if (!rest.empty() && rest[0] == '.') {
    size_t digits = 1;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) {
      ++digits;
    }
    if (digits == 1) return Invalid(text, "a fraction needs digits");
    int64_t fraction = 0;
    for (size_t i = 1; i < digits && i <= 3; ++i) fraction = fraction * 10 + (rest[i] - '0');
    for (size_t i = digits; i <= 3; ++i) fraction *= 10;  // ".5" is 500 ms
    ms += fraction;
    rest.remove_prefix(digits);
  }
  if (rest == "Z" || rest == "z") return InRange(text, ms);
  if (rest.size() != 6 || (rest[0] != '+' && rest[0] != '-') || !Digits(rest.substr(1), 2) ||
      rest[3] != ':' || !Digits(rest.substr(4), 2)) {
    return Invalid(text, "it must end with Z or an offset like +01:00");
  }
  int hours = (rest[1] - '0') * 10 + (rest[2] - '0');
  int minutes = (rest[4] - '0') * 10 + (rest[5] - '0');
  if (hours > 23 || minutes > 59) return Invalid(text, "the offset is out of range");
  int64_t offset_ms = (int64_t{hours} * 60 + minutes) * 60'000;
  return InRange(text, rest[0] == '+' ? ms - offset_ms : ms + offset_ms);
}

Result<int64_t> TimeOf(const boost::json::value& value) {
  if (value.is_int64()) return value.as_int64();
  if (value.is_uint64() && value.as_uint64() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return static_cast<int64_t>(value.as_uint64());
  }
  if (value.is_string()) return ParseRfc3339(value.as_string());
  return Status::InvalidArgument("'until' gave " + boost::json::serialize(value).substr(0, 64) +
                                 ": a time is RFC 3339 text or an integer of unix milliseconds");
}

std::string FormatRfc3339(int64_t ms) {
  int64_t seconds = ms / 1000;
  int64_t millis = ms % 1000;
  if (millis < 0) {
    millis += 1000;
    --seconds;
  }
  time_t as_time = static_cast<time_t>(seconds);
  std::tm parts{};
  gmtime_r(&as_time, &parts);
  char text[96];  // what any int fields could print, so none is cut (the output is 24 chars)
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900,
                parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                static_cast<int>(millis));
  return text;
}

}  // namespace assent::engine
