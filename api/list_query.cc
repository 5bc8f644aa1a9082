#include "api/list_query.h"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <optional>
#include <vector>

namespace assent::api {
namespace {

// The longest cursor accepted: far above any id the engine makes.
constexpr size_t kMaxCursorChars = 1024;

// Reads exactly `digits` decimal digits at `text[*at]`, advancing `*at`.
std::optional<int> Digits(std::string_view text, size_t* at, size_t digits) {
  if (*at + digits > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < digits; ++i) {
    char c = text[*at + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  *at += digits;
  return value;
}

bool Expect(std::string_view text, size_t* at, char c) {
  if (*at >= text.size() || text[*at] != c) return false;
  ++*at;
  return true;
}

// RFC 3339 date-time (section 5.6), upper- or lower-case T and Z; fractions of a second beyond
// milliseconds are dropped.
std::optional<int64_t> ParseRfc3339(std::string_view text) {
  size_t at = 0;
  auto year = Digits(text, &at, 4);
  if (!year || !Expect(text, &at, '-')) return std::nullopt;
  auto month = Digits(text, &at, 2);
  if (!month || !Expect(text, &at, '-')) return std::nullopt;
  auto day = Digits(text, &at, 2);
  if (!day || !(Expect(text, &at, 'T') || Expect(text, &at, 't'))) return std::nullopt;
  auto hour = Digits(text, &at, 2);
  if (!hour || !Expect(text, &at, ':')) return std::nullopt;
  auto minute = Digits(text, &at, 2);
  if (!minute || !Expect(text, &at, ':')) return std::nullopt;
  auto second = Digits(text, &at, 2);
  if (!second) return std::nullopt;
  int64_t millis = 0;
  if (Expect(text, &at, '.')) {
    size_t start = at;
    for (int scale = 100; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
      millis += (text[at] - '0') * scale;
      scale /= 10;
    }
    if (at == start) return std::nullopt;
  }
  int64_t offset_minutes = 0;
  if (Expect(text, &at, 'Z') || Expect(text, &at, 'z')) {
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    int sign = text[at++] == '-' ? -1 : 1;
    auto offset_hours = Digits(text, &at, 2);
    if (!offset_hours || !Expect(text, &at, ':')) return std::nullopt;
    auto offset_mins = Digits(text, &at, 2);
    if (!offset_mins || *offset_hours > 23 || *offset_mins > 59) return std::nullopt;
    offset_minutes = sign * (*offset_hours * 60 + *offset_mins);
  } else {
    return std::nullopt;
  }
  if (at != text.size() || *month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 ||
      *minute > 59 || *second > 60 || *year < 1970) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  std::tm normalized = tm;
  time_t seconds = timegm(&normalized);
  if (normalized.tm_mday != *day) return std::nullopt;  // 2026-02-30 rolled over into March
  return (int64_t{seconds} - offset_minutes * 60) * 1000 + millis;
}

}  // namespace

std::string EncodeCursor(std::string_view position) {
  std::vector<unsigned char> out(4 * ((position.size() + 2) / 3) + 1);
  int written = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(position.data()),
                                static_cast<int>(position.size()));
  std::string cursor(reinterpret_cast<const char*>(out.data()), static_cast<size_t>(written));
  while (!cursor.empty() && cursor.back() == '=') cursor.pop_back();
  std::replace(cursor.begin(), cursor.end(), '+', '-');
  std::replace(cursor.begin(), cursor.end(), '/', '_');
  return cursor;
}

Result<std::string> DecodeCursor(std::string_view cursor) {
  Status refused = Status::InvalidArgument("after must be a cursor from a page's \"next\"");
  if (cursor.empty() || cursor.size() > kMaxCursorChars || cursor.size() % 4 == 1) return refused;
  std::string text(cursor);
  for (char& c : text) {
    if (c == '-') {
      c = '+';
    } else if (c == '_') {
      c = '/';
    } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
      return refused;
    }
  }
  size_t padding = (4 - text.size() % 4) % 4;
  text.append(padding, '=');
  std::vector<unsigned char> out(3 * text.size() / 4 + 1);
  int written = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (written < 0) return refused;
  // EVP_DecodeBlock counts the padding's zero bytes too.
  std::string position(reinterpret_cast<const char*>(out.data()),
                       static_cast<size_t>(written) - padding);
  if (EncodeCursor(position) != cursor) return refused;  // not the one canonical spelling
  return position;
}

Result<int64_t> ParseAgeBound(std::string_view text, std::chrono::system_clock::time_point now) {
  Status refused = Status::InvalidArgument(
      "an age must be a duration back from now (90s, 30m, 24h, 7d) or an RFC 3339 time "
      "(2026-11-30T04:00:00Z)");
  if (auto at = ParseRfc3339(text)) return *at;
  uint32_t amount = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
  std::string_view unit(end, text.data() + text.size() - end);
  if (ec != std::errc() || end == text.data() || amount == 0 || amount > 100'000) return refused;
  std::chrono::seconds back;
  if (unit == "s") {
    back = std::chrono::seconds(amount);
  } else if (unit == "m") {
    back = std::chrono::minutes(amount);
  } else if (unit == "h") {
    back = std::chrono::hours(amount);
  } else if (unit == "d") {
    back = std::chrono::hours(24) * amount;
  } else {
    return refused;
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>((now - back).time_since_epoch())
      .count();
}

}  // namespace assent::api
