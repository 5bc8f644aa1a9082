#include "api/protocol/audit_time.h"

#include <charconv>
#include <chrono>
#include <optional>
#include <string>

namespace assent::api {
namespace {

using namespace std::chrono;

constexpr int64_t kMaxAgoMs = int64_t{100} * 366 * 24 * 3600 * 1000;

// Exactly `digits` decimal digits at `text[at...]`.
std::optional<int> Digits(std::string_view text, size_t at, size_t digits) {
  if (at + digits > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = at; i < at + digits; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

std::optional<int64_t> ParseDateTime(std::string_view text) {
  // 2026-11-30T09:00:00 is 19 characters; then [.fraction] and Z or +hh:mm.
  auto year = Digits(text, 0, 4), month = Digits(text, 5, 2), day = Digits(text, 8, 2);
  auto hour = Digits(text, 11, 2), minute = Digits(text, 14, 2), second = Digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' ||
      text[7] != '-' || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
      text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  year_month_day date{std::chrono::year(*year), std::chrono::month(*month),
                      std::chrono::day(*day)};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 59) return std::nullopt;
  size_t at = 19;
  int64_t millis = 0;
  if (at < text.size() && text[at] == '.') {
    size_t first = ++at;
    for (int scale = 100; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
      millis += (text[at] - '0') * scale;
      scale /= 10;
    }
    if (at == first) return std::nullopt;
  }
  int64_t offset_minutes = 0;
  std::string_view zone = text.substr(std::min(at, text.size()));
  if (zone == "Z" || zone == "z") {
    offset_minutes = 0;
  } else {
    auto zone_hours = Digits(zone, 1, 2), zone_minutes = Digits(zone, 4, 2);
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' ||
        !zone_hours || !zone_minutes || *zone_hours > 23 || *zone_minutes > 59) {
      return std::nullopt;
    }
    offset_minutes = (*zone_hours * 60 + *zone_minutes) * (zone[0] == '-' ? -1 : 1);
  }
  sys_time<milliseconds> local = sys_days(date) + hours(*hour) + minutes(*minute) +
                                 seconds(*second) + milliseconds(millis);
  return (local - minutes(offset_minutes)).time_since_epoch().count();
}

std::optional<int64_t> ParseAgo(std::string_view text, int64_t now_ms) {
  uint64_t amount = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  std::string_view unit(end, text.data() + text.size() - end);
  int64_t unit_ms = unit == "ms"  ? 1
                    : unit == "s" ? 1000
                    : unit == "m" ? 60'000
                    : unit == "h" ? 3'600'000
                    : unit == "d" ? 86'400'000
                                  : 0;
  if (unit_ms == 0 || amount > static_cast<uint64_t>(kMaxAgoMs / unit_ms)) return std::nullopt;
  return now_ms - static_cast<int64_t>(amount) * unit_ms;
}

}  // namespace

Result<int64_t> ParseAuditTime(std::string_view text, std::string_view parameter,
                               int64_t now_ms) {
  std::optional<int64_t> at = ParseDateTime(text);
  if (!at) at = ParseAgo(text, now_ms);
  if (!at) {
    return Status::InvalidArgument(
        std::string(parameter) +
        " must be an RFC 3339 date-time such as 2026-11-30T09:00:00Z or a duration before now "
        "such as 24h, 90m or 7d");
  }
  return *at;
}

}  // namespace assent::api
