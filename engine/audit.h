// The audit trail as the api layer sees it: who started, decided, commented on and cancelled
// what, when, and through which channel and request, newest first, in pages. Read from the log
// through the audit index (engine/internal/audit_index.h), never kept as a record of its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/actor.h"
#include "engine/views.h"

namespace assent::engine {

// Which entries a page holds. Every filter set must match (empty / nullopt: any).
struct AuditQuery {
  std::string workflow = {};
  std::string actor = {};                // the principal's id
  std::string run_id = {};
  std::string approval_id = {};          // its decisions and comments
  std::optional<int64_t> since_ms = {};  // at or after
  std::optional<int64_t> until_ms = {};  // before
  std::string after = {};                // a page's `next`: the page after it; empty: newest
  size_t limit = 100;                    // from 1 to kMaxAuditLimit
};

inline constexpr size_t kMaxAuditLimit = 1000;
// At most this many index entries are read for one page: a filter that matches few entries
// (a rare actor within a workflow, a viewer who sees few workflows) answers a page with fewer
// entries, or none, and a `next` to go on from, rather than reading the whole index at once.
inline constexpr size_t kMaxAuditEntriesScanned = 10'000;

// One thing someone did, read from its event.
struct AuditEntry {
  std::string action;                // "run.started", "gate.opened" (an outside agent's
                                     // gate), "approval.decided", "comment.added",
                                     // "run.cancelled", "run.retried"; identity changes:
                                     // "user.added", "user.groups_changed", "user.removed",
                                     // "token.issued", "token.revoked"
  int64_t at_ms = 0;
  std::string actor;                 // the principal's id; empty for events before v0.9
  Channel channel = Channel::kUnknown;
  std::string request_id;
  std::string workflow;
  std::string run_id;
  uint64_t seq = 0;                  // the event's seq in its run
  std::string approval_id;           // decisions and comments
  std::optional<Decision> decision;  // decisions
  std::string comment;               // a comment's text, a decision's comment, a cancel's reason
  std::string subject;               // identity changes: the user or token id changed
  std::string edit_diff;             // an approval with edits: what changed, as JSON text

  bool operator==(const AuditEntry&) const = default;
};

struct AuditPage {
  std::vector<AuditEntry> entries;  // newest first
  std::string next;                 // the next page's AuditQuery::after; empty on the last page
};

// Whether a viewer may see what happens in `workflow` (never called for entries that concern
// no workflow: those are for admins only).
using WorkflowVisibility = std::function<bool(std::string_view workflow)>;

}  // namespace assent::engine
