// The audit index (storage::Index::kAudit): one entry per auditable event in each scope
// (index_keys.h AuditScope), written in the same batch as the event, so the audit is the log
// seen through an index and never a second record of what happened.
//
// Auditable: RunStarted, ApprovalDecided, CommentAdded and RunCancelled, and the directory's
// changes to users and tokens (which name no workflow): the events a person (or a machine
// with a token) causes. The switch in AuditFactsOf names every event type, so a
// new one cannot be added without deciding whether it is audited.
//
// The entry's value (AuditRecord, "AAUD", schemas/state.fbs) holds what filters need (what was
// done, the workflow, the actor); its key's position names the event (run id, seq) the
// details are read from.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "schemas/event_generated.h"
#include "storage/event_log.h"

namespace assent::engine {

struct AuditFacts {
  fb::Body kind = fb::Body::NONE;  // the event's type
  std::string workflow;            // empty: the event concerns no workflow
  std::string actor;               // empty: the event names no one (written before v0.9)

  bool operator==(const AuditFacts&) const = default;
};

// The facts of `event` when it is auditable; `workflow` is its run's.
std::optional<AuditFacts> AuditFactsOf(const fb::Event& event, std::string_view workflow);

// The audit entries `event` implies (none when it is not auditable): one in the everything
// scope, one under its workflow and one under its actor when it names them.
std::vector<storage::IndexOp> AuditIndexOps(const fb::Event& event, std::string_view workflow);

std::string EncodeAuditRecord(const AuditFacts& facts);
// kCorruption when `record` is not an audit record.
Result<AuditFacts> DecodeAuditRecord(std::string_view record);

}  // namespace assent::engine
