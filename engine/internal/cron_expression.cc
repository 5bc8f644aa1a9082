#include "engine/internal/cron_expression.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace assent::engine {
namespace {

struct FieldRule {
  std::string_view name;
  unsigned min;
  unsigned max;  // largest value written; day-of-week accepts 7 for Sunday
  std::array<std::string_view, 12> names = {};  // names[i] is value min + i; empty: none
  std::string_view names_hint = "";
};

constexpr FieldRule kMinute{"minute", 0, 59};
constexpr FieldRule kHour{"hour", 0, 23};
constexpr FieldRule kDayOfMonth{"day-of-month", 1, 31};
constexpr FieldRule kMonth{"month",
                           1,
                           12,
                           {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
                            "NOV", "DEC"},
                           " or a month name (JAN-DEC)"};
constexpr FieldRule kDayOfWeek{"day-of-week",
                               0,
                               7,
                               {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"},
                               " or a day name (SUN-SAT)"};

// Text shown in a message: long or odd input cut and made printable.
std::string Shown(std::string_view text) {
  std::string shown;
  for (char c : text.substr(0, 32)) shown += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (text.size() > 32) shown += "...";
  return shown;
}

Status FieldError(const FieldRule& rule, const std::string& what) {
  return Status::InvalidArgument(std::string(rule.name) + ": " + what);
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'a' && a[i] <= 'z' ? static_cast<char>(a[i] - 'a' + 'A') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

Result<unsigned> ParseValue(const FieldRule& rule, std::string_view text) {
  for (size_t i = 0; i < rule.names.size() && !rule.names[i].empty(); ++i) {
    if (EqualsIgnoringCase(text, rule.names[i])) return rule.min + static_cast<unsigned>(i);
  }
  if (text.empty() || text.size() > 2 ||
      text.find_first_not_of("0123456789") != std::string_view::npos) {
    return FieldError(rule, "'" + Shown(text) + "' is not a number" +
                                std::string(rule.names_hint));
  }
  unsigned value = 0;
  for (char c : text) value = value * 10 + static_cast<unsigned>(c - '0');
  if (value < rule.min || value > rule.max) {
    return FieldError(rule, std::to_string(value) + " is out of range " +
                                std::to_string(rule.min) + "-" + std::to_string(rule.max));
  }
  return value;
}

// One comma-separated item: `*`, `v`, `a-b`, each optionally `/step`. Sets its values in
// `bits` (indexed by value).
Status ParseItem(const FieldRule& rule, std::string_view item, std::vector<bool>& bits) {
  if (item.empty()) return FieldError(rule, "an empty list item");
  unsigned first = rule.min;
  unsigned last = rule.max;
  unsigned step = 1;
  std::string_view range = item;
  std::optional<std::string_view> step_text;
  if (size_t slash = item.find('/'); slash != std::string_view::npos) {
    range = item.substr(0, slash);
    step_text = item.substr(slash + 1);
  }
  if (step_text) {
    if (step_text->empty() || step_text->size() > 2 ||
        step_text->find_first_not_of("0123456789") != std::string_view::npos) {
      return FieldError(rule, "step '" + Shown(*step_text) + "' is not a number");
    }
    step = 0;
    for (char c : *step_text) step = step * 10 + static_cast<unsigned>(c - '0');
    if (step == 0 || step > rule.max) {
      return FieldError(rule, "step " + std::to_string(step) + " is out of range 1-" +
                                  std::to_string(rule.max));
    }
  }
  if (range != "*") {
    size_t dash = range.find('-');
    Result<unsigned> low = ParseValue(rule, range.substr(0, dash));
    if (!low.ok()) return low.status();
    first = *low;
    if (dash != std::string_view::npos) {
      Result<unsigned> high = ParseValue(rule, range.substr(dash + 1));
      if (!high.ok()) return high.status();
      last = *high;
      if (last < first) {
        return FieldError(rule, "range '" + Shown(range) + "' goes backwards");
      }
    } else if (!step_text) {
      last = first;  // a single value; "5/10" runs from 5 to the maximum
    }
  }
  for (unsigned value = first; value <= last; value += step) bits[value] = true;
  return Status::Ok();
}

// Parses one field into `bits`; `restricted`: it does not start with `*`.
template <size_t N>
Status ParseField(const FieldRule& rule, std::string_view text, std::bitset<N>& bits,
                  bool* restricted = nullptr) {
  std::vector<bool> values(rule.max + 1, false);
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma == std::string_view::npos
                                                   ? std::string_view::npos
                                                   : comma - start);
    if (Status parsed = ParseItem(rule, item, values); !parsed.ok()) return parsed;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  for (unsigned value = rule.min; value <= rule.max; ++value) {
    if (values[value]) bits.set(value % N);  // day-of-week 7 folds onto 0, Sunday
  }
  if (restricted != nullptr) *restricted = !text.starts_with('*');
  return Status::Ok();
}

std::vector<std::string_view> SplitFields(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t at = 0;
  while (at < text.size()) {
    if (text[at] == ' ' || text[at] == '\t') {
      ++at;
      continue;
    }
    size_t end = text.find_first_of(" \t", at);
    if (end == std::string_view::npos) end = text.size();
    fields.push_back(text.substr(at, end - at));
    at = end;
  }
  return fields;
}

// The most days each month can have (February in a leap year).
constexpr std::array<unsigned, 13> kMaxDays = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

}  // namespace

Result<CronExpression> CronExpression::Parse(std::string_view text) {
  std::vector<std::string_view> fields = SplitFields(text);
  if (fields.size() != 5) {
    return Status::InvalidArgument(
        "expected 5 fields (minute hour day-of-month month day-of-week), got " +
        std::to_string(fields.size()));
  }
  CronExpression cron;
  if (Status s = ParseField(kMinute, fields[0], cron.minutes_); !s.ok()) return s;
  if (Status s = ParseField(kHour, fields[1], cron.hours_); !s.ok()) return s;
  if (Status s = ParseField(kDayOfMonth, fields[2], cron.days_, &cron.day_restricted_); !s.ok()) {
    return s;
  }
  if (Status s = ParseField(kMonth, fields[3], cron.months_); !s.ok()) return s;
  if (Status s = ParseField(kDayOfWeek, fields[4], cron.weekdays_, &cron.weekday_restricted_);
      !s.ok()) {
    return s;
  }
  // Only the day of month can rule out every day: then no selected month has such a day.
  if (!cron.weekday_restricted_ || !cron.day_restricted_) {
    bool some_day = false;
    for (unsigned month = 1; month <= 12 && !some_day; ++month) {
      if (!cron.months_[month]) continue;
      for (unsigned day = 1; day <= kMaxDays[month] && !some_day; ++day) {
        some_day = cron.days_[day];
      }
    }
    if (!some_day) {
      return Status::InvalidArgument("day-of-month: no selected month has the selected days, "
                                     "so the expression never fires");
    }
  }
  return cron;
}

bool CronExpression::MatchesDay(unsigned month, unsigned day, unsigned weekday) const {
  if (!months_[month]) return false;
  if (day_restricted_ && weekday_restricted_) return days_[day] || weekdays_[weekday];
  return days_[day] && weekdays_[weekday];
}

}  // namespace assent::engine
