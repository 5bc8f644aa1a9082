// AuditQueries: the audit trail's read side (Engine::ListAudit). Pages come from the audit
// index (audit_index.h), scanned from the cursor in the scope that narrows them most (the
// actor's entries, else the workflow's, else all); each entry's details are read from the
// event its key names. A run's or an approval's entries are read from that run's own log,
// which holds them all. Read-only, on the caller's thread, with no engine state.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/logger.h"
#include "engine/audit.h"
#include "storage/event_log.h"

namespace assent::engine {

class AuditQueries {
 public:
  AuditQueries(storage::EventLog& log, Logger& logger) : log_(log), logger_(logger) {}

  // The page of `query` that `viewer` may see: entries of workflows `may_see` accepts, and
  // entries that concern no workflow (identity changes) only for admins. kInvalidArgument for
  // a limit out of range or an `after` that is no cursor of this audit.
  Result<AuditPage> List(const AuditQuery& query, const Principal& viewer,
                         const WorkflowVisibility& may_see);

 private:
  // An entry that cannot be read (its record or its event is damaged) is skipped and logged,
  // as lists do (Ok); any other failure fails the page (returned).
  Status SkipOrFail(const Status& why, std::string_view position);

  storage::EventLog& log_;
  Logger& logger_;
};

// The cursor text of an encoded audit position (index_keys.h), and back: nullopt when `cursor`
// is not one.
std::string AuditCursor(std::string_view position);
std::optional<std::string> AuditCursorPosition(std::string_view cursor);

}  // namespace assent::engine
