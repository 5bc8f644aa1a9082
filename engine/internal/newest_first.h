// NewestFirst: one page of ids from an index whose keys are a status byte plus an id that sorts
// by time (runs by status, approvals by status), newest first across several statuses.
//
// Each status's prefix is scanned backwards from the page's start, keeping the entries
// `accept` takes, until it has `limit` of them, runs out, or has examined `max_examined`
// entries. The scans are merged by id. Only ids down to the highest point where some scan
// stopped early are certain to be complete, so the page ends there: with `limit` ids, or fewer
// and a `next` at the point where the bounded scan stopped (so filtering that passes over many
// entries never makes a page's work unbounded). An id seen in two statuses (it moved between
// two scans) is kept once.
//
// Pure over the log's reads; thread-safe as the log is.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "storage/event_log.h"

namespace assent::engine {

struct NewestFirstScan {
  storage::Index index;
  std::vector<std::string> prefixes;  // one per status to list; ids follow the prefix
  std::string before;                 // only ids < this; empty: no bound
  std::string not_below;              // only ids >= this; empty: no bound
  size_t limit = 100;
  size_t max_examined = 10'000;       // entries per prefix per page
  // Whether the entry belongs on the page. May keep what it decoded, keyed by id.
  std::function<bool(std::string_view id, std::string_view value)> accept;
};

struct NewestFirstPage {
  std::vector<std::string> ids;  // newest first
  std::string next;              // ids below this come on the next page; empty: none
};

Result<NewestFirstPage> ScanNewestFirst(storage::EventLog& log, const NewestFirstScan& scan);

}  // namespace assent::engine
