#include "engine/internal/duration_text.h"

#include <array>
#include <charconv>
#include <limits>

namespace assent::engine {
namespace {

struct Unit {
  std::string_view name;
  int64_t ms;
};

// Largest first: the order parts must come in, and the order FormatDuration writes them.
constexpr std::array<Unit, 5> kUnits{{
    {"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}, {"ms", 1}}};

Status Invalid(std::string_view text, std::string_view why) {
  return Status::InvalidArgument("\"" + std::string(text) + "\" is not a duration (" +
                                 std::string(why) + "); write e.g. \"90s\", \"15m\", \"24h\", " +
                                 "\"7d\" or \"1h30m\"");
}

}  // namespace

Result<int64_t> ParseDuration(std::string_view text) {
  if (text.empty()) return Invalid(text, "it is empty");
  int64_t total = 0;
  size_t next_unit = 0;  // parts must use units after the previous part's
  std::string_view rest = text;
  while (!rest.empty()) {
    int64_t count = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), count);
    if (end == rest.data()) return Invalid(text, "a number must come before each unit");
    if (ec != std::errc() || count < 0) return Invalid(text, "a number is too large");
    rest.remove_prefix(static_cast<size_t>(end - rest.data()));
    // "ms" before "m": the longest unit name that matches.
    size_t unit = kUnits.size();
    for (size_t i = 0; i < kUnits.size(); ++i) {
      if (rest.starts_with(kUnits[i].name) &&
          (unit == kUnits.size() || kUnits[i].name.size() > kUnits[unit].name.size())) {
        unit = i;
      }
    }
    if (unit == kUnits.size()) return Invalid(text, "each number needs a unit: d, h, m, s or ms");
    if (unit < next_unit) return Invalid(text, "units must go from largest to smallest, once each");
    rest.remove_prefix(kUnits[unit].name.size());
    next_unit = unit + 1;
    if (count > (std::numeric_limits<int64_t>::max() - total) / kUnits[unit].ms) {
      return Invalid(text, "it is too long");
    }
    total += count * kUnits[unit].ms;
  }
  return total;
}

std::string FormatDuration(int64_t ms) {
  if (ms <= 0) return "0s";
  std::string text;
  for (const Unit& unit : kUnits) {
    if (ms < unit.ms) continue;
    text += std::to_string(ms / unit.ms);
    text += unit.name;
    ms %= unit.ms;
  }
  return text;
}

}  // namespace assent::engine
