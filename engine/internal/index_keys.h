// The keys of the engine's index entries (storage::Index), built and parsed here and nowhere
// else. Formats (persisted: never change one, add a new index instead):
//   runs by status       status byte (RunStatus) + run id           value: workflow name
//   approvals by status  status byte (ApprovalStatus) + approval id value: ApprovalRecord
//   start keys           workflow + '\0' + idempotency key           value: run id
//   run snapshots        run id                                      value: RunSnapshot
//   approval comments    approval id + '\0' + ordinal (4 bytes BE)   value: CommentRecord
//   audit                scope byte (AuditScope) [+ name length (4 bytes BE) + name]
//                        + position (see EncodeAuditPosition)          value: AuditRecord
//                        and one marker, kAuditBackfilledKey           value: empty
//   timers               due time (unix ms, 8 bytes BE) + timer id    value: run id
//                        (a timer id is an approval id, its reminder's: approval id "/remind",
//                        a wait step visit's: run id "." seq, or a retry's: run id "/retry")
// The status byte first lets one prefix scan list everything in one status. Workflow names
// never contain '\0', so a start key splits at its first one.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/views.h"

namespace assent::engine {

template <typename StatusEnum>
struct StatusKey {
  StatusEnum status;
  std::string_view id;  // a view into the decoded key
};

std::string RunsByStatusKey(RunStatus status, std::string_view run_id);
// Every runs-by-status key of runs in `status`.
std::string RunsByStatusPrefix(RunStatus status);
// nullopt when `key` has no id or an unknown status byte.
std::optional<StatusKey<RunStatus>> DecodeRunsByStatusKey(std::string_view key);

std::string ApprovalsByStatusKey(ApprovalStatus status, std::string_view approval_id);
std::string ApprovalsByStatusPrefix(ApprovalStatus status);
std::optional<StatusKey<ApprovalStatus>> DecodeApprovalsByStatusKey(std::string_view key);

struct StartKeyParts {
  std::string_view workflow;
  std::string_view idempotency_key;
};
std::string StartKey(std::string_view workflow, std::string_view idempotency_key);
std::optional<StartKeyParts> DecodeStartKey(std::string_view key);

inline std::string RunSnapshotKey(std::string_view run_id) { return std::string(run_id); }

// The comment numbered `ordinal` (0: the first) of an approval. Big-endian, so a scan of the
// approval's prefix yields its comments in order; the '\0' keeps approval "r.1" from sharing a
// prefix with "r.12" (ids never contain '\0').
std::string ApprovalCommentKey(std::string_view approval_id, uint32_t ordinal);
std::string ApprovalCommentsPrefix(std::string_view approval_id);
struct ApprovalCommentKeyParts {
  std::string_view approval_id;
  uint32_t ordinal;
};
std::optional<ApprovalCommentKeyParts> DecodeApprovalCommentKey(std::string_view key);

// A run's timer (run_timers.h): a pending approval's timeout, a wait step's wake-up. Due time
// first, so a scan from the start yields the timers that come due first. Times before 1970 do
// not occur: the engine's clock writes them.
std::string TimerKey(int64_t due_at_ms, std::string_view timer_id);
// The timer id of a wait step's visit whose StepStarted has seq `visit_seq`: run id "." seq, like
// the id of an approval requested at that seq (never both: each event is one or the other).
std::string WaitTimerId(std::string_view run_id, uint64_t visit_seq);
// The timer id of a pending approval's reminder (the step's `remind_after`): its id + "/remind".
// Its timeout's timer id is the approval id itself.
std::string ReminderTimerId(std::string_view approval_id);
// The approval a reminder's timer id names; nullopt for any other timer id.
std::optional<std::string_view> ApprovalOfReminder(std::string_view timer_id);
// The timer id of a run's pending http retry (a run has at most one): run id + "/retry". Its
// due time (the key's) is the StepFailed's retry_at_ms.
std::string RetryTimerId(std::string_view run_id);
// The run a retry's timer id names; nullopt for any other timer id.
std::optional<std::string_view> RunOfRetry(std::string_view timer_id);
struct TimerKeyParts {
  int64_t due_at_ms;
  std::string_view timer_id;
};
std::optional<TimerKeyParts> DecodeTimerKey(std::string_view key);

// Audit entries (audit_index.h). Every auditable event has one entry in each scope, all with
// the same position, so a page of any scope goes on from a cursor taken in any other. The
// numbers are persisted: never change or reuse one.
enum class AuditScope : uint8_t {
  kEverything = 1,  // no name: every entry
  kWorkflow = 2,    // name: the run's workflow (entries that name none have no such key)
  kActor = 3,       // name: the principal who did it
};

// Where an event sits in the audit: newest first. Encoded as its time, inverted, 8 bytes
// big-endian, then its run id, '\0' and its seq, inverted, 8 bytes big-endian: byte order is
// newer time first, then run id ascending, then later seq first. Unique per event.
struct AuditPosition {
  int64_t at_ms = 0;
  std::string run_id;
  uint64_t seq = 0;

  bool operator==(const AuditPosition&) const = default;
};
std::string EncodeAuditPosition(const AuditPosition& position);
// nullopt when `bytes` is not an encoded position (too short, no separator, an empty run id
// or one holding '\0').
std::optional<AuditPosition> DecodeAuditPosition(std::string_view bytes);
// The smallest encoded position of any event at `at_ms` or before it: an "until" bound.
std::string AuditPositionsAtOrBefore(int64_t at_ms);

// `name` is ignored in kEverything.
std::string AuditKey(AuditScope scope, std::string_view name, std::string_view position);
std::string AuditPrefix(AuditScope scope, std::string_view name);
struct AuditKeyParts {
  AuditScope scope;
  std::string_view name;      // empty in kEverything
  std::string_view position;  // encoded; DecodeAuditPosition reads it
};
// nullopt for the marker, an unknown scope, a bad length or a malformed position.
std::optional<AuditKeyParts> DecodeAuditKey(std::string_view key);

// Present once every run written before the audit index existed has its entries (the engine
// writes it after backfilling, or with the first entries of a new data dir). Scope byte 0
// keeps it apart from every entry.
inline constexpr std::string_view kAuditBackfilledKey{"\0backfilled", 11};

}  // namespace assent::engine
