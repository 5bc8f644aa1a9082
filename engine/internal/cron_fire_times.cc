#include "engine/internal/cron_fire_times.h"

#include <chrono>
#include <deque>
#include <stdexcept>
#include <string>

#include <date/tz.h>

namespace assent::engine {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

// Days searched for a matching one. A day of month and a weekday that must both hold (one of
// the two fields written with `*`) can be years apart: 29 February falls on a Sunday in 2088
// and next in 2128 (2100 is no leap year). Every day that exists falls on each weekday within
// 40 years, so the search covers 41. A day that never exists was refused by Parse.
constexpr int kMaxDaysSearched = 41 * 366;

const date::time_zone* FindZone(std::string_view zone) {
  try {
    return date::locate_zone(zone);
  } catch (const std::runtime_error&) {  // unknown zone
    return nullptr;
  }
}

// The instant the zone's clock shows `local`: in a gap, the end of the gap; when shown twice,
// the first time.
date::sys_seconds ToSys(const date::time_zone& zone, date::local_seconds local) {
  date::local_info info = zone.get_info(local);
  if (info.result == date::local_info::nonexistent) return info.first.end;
  return date::sys_seconds{local.time_since_epoch() - info.first.offset};
}

}  // namespace

bool IsKnownTimeZone(std::string_view zone) { return FindZone(zone) != nullptr; }

std::optional<int64_t> NextFireTime(const CronExpression& cron, std::string_view zone_name,
                                    int64_t after_ms) {
  const date::time_zone* zone = FindZone(zone_name);
  if (zone == nullptr) return std::nullopt;
  const date::sys_time<milliseconds> after{milliseconds(after_ms)};
  // Local times map to instants in order (a gap's times all to its end, a repeated hour's to
  // its first pass), so the first matched local time from here whose instant is after `after`
  // is the answer.
  const auto from = date::floor<minutes>(zone->to_local(after));
  date::local_days day = date::floor<date::days>(from);
  for (int searched = 0; searched < kMaxDaysSearched; ++searched, day += date::days{1}) {
    const date::year_month_day ymd{day};
    if (!cron.MatchesDay(static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                         date::weekday{day}.c_encoding())) {
      continue;
    }
    for (unsigned hour = 0; hour < 24; ++hour) {
      if (!cron.MatchesHour(hour)) continue;
      for (unsigned minute = 0; minute < 60; ++minute) {
        if (!cron.MatchesMinute(minute)) continue;
        const auto local = day + std::chrono::hours(hour) + minutes(minute);
        if (local < from) continue;
        const date::sys_seconds instant = ToSys(*zone, local);
        if (instant > after) {
          return std::chrono::duration_cast<milliseconds>(instant.time_since_epoch()).count();
        }
      }
    }
  }
  return std::nullopt;
}

std::vector<int64_t> FireTimesBetween(const CronExpression& cron, std::string_view zone,
                                      int64_t after_ms, int64_t until_ms, size_t keep,
                                      bool* earlier_left_out) {
  std::deque<int64_t> kept;
  bool left_out = false;
  for (int64_t span = 3'600'000;; span *= 4) {
    const int64_t start = until_ms - after_ms <= span ? after_ms : until_ms - span;
    kept.clear();
    left_out = false;
    for (std::optional<int64_t> next = NextFireTime(cron, zone, start);
         next && *next <= until_ms; next = NextFireTime(cron, zone, *next)) {
      kept.push_back(*next);
      if (kept.size() > keep) {
        kept.pop_front();
        left_out = true;
      }
    }
    if (start == after_ms) break;
    if (kept.size() >= keep) {
      std::optional<int64_t> first = NextFireTime(cron, zone, after_ms);
      left_out = left_out || (first && *first <= start);
      break;
    }
  }
  if (earlier_left_out != nullptr) *earlier_left_out = left_out;
  return {kept.begin(), kept.end()};
}

}  // namespace assent::engine
