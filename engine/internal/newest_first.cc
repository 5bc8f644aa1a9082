#include "engine/internal/newest_first.h"

#include <algorithm>
#include <optional>

namespace assent::engine {

Result<NewestFirstPage> ScanNewestFirst(storage::EventLog& log, const NewestFirstScan& scan) {
  if (scan.limit == 0) return NewestFirstPage{};
  std::vector<std::string> ids;
  // The highest id down to which some scan is incomplete: ids below it wait for the next page.
  std::optional<std::string> floor;
  for (const std::string& prefix : scan.prefixes) {
    size_t kept = 0;
    size_t examined = 0;
    std::string last;
    bool stopped_early = false;
    std::string before = scan.before.empty() ? std::string() : prefix + scan.before;
    Status scanned = log.ScanIndexReverse(
        scan.index, prefix, before,
        [&](std::string_view key, std::string_view value) {
          std::string_view id = key.substr(prefix.size());
          if (!scan.not_below.empty() && id < scan.not_below) return false;
          ++examined;
          last.assign(id);
          if (scan.accept(id, value)) {
            ids.emplace_back(id);
            ++kept;
          }
          stopped_early = kept == scan.limit || examined == scan.max_examined;
          return !stopped_early;
        });
    if (!scanned.ok()) return scanned;
    if (stopped_early && (!floor || last > *floor)) floor = last;
  }
  std::sort(ids.begin(), ids.end(), std::greater<>());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (floor) {
    auto below = [&](const std::string& id) { return id < *floor; };
    ids.erase(std::find_if(ids.begin(), ids.end(), below), ids.end());
  }
  NewestFirstPage page;
  if (ids.size() > scan.limit) {
    ids.resize(scan.limit);
    page.next = ids.back();
  } else if (floor) {
    page.next = *floor;
  }
  page.ids = std::move(ids);
  return page;
}

}  // namespace assent::engine
