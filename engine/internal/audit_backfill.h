// Backfill of the audit index for data dirs written before it existed: one pass over every
// run's events on open, writing the entries today's commits write (audit_index.h), then the
// marker (index_keys.h kAuditBackfilledKey) that says it is done, so it runs once. The entries
// are a pure function of the events, so a pass cut short by a crash is simply done again.
//
// Runs on the opening thread before any shard starts: no command can commit meanwhile.
#pragma once

#include "base/logger.h"
#include "base/status.h"
#include "storage/event_log.h"

namespace assent::engine {

// Ok when the index is complete (already, or now). A log that refuses writes for now (full
// disk, read-only) is logged and left for the next open (Ok). A run that cannot be read is
// logged and skipped: `assent verify` names it.
Status BackfillAudit(storage::EventLog& log, Logger& logger);

}  // namespace assent::engine
