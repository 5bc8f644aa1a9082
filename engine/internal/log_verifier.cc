// VerifyLog (engine.h): reads every item the engine keeps in a log, as the engine itself would, and
// names each one it cannot read or that disagrees with the rest: `assent verify` over a data dir.
// The server skips such items (and logs them) so that one bad item never keeps it from starting;
// this is how an operator finds them all at once.
//
// Checked: every stored version of every workflow definition; every run listed in the
// runs-by-status index (its records verify and follow on from seq 1, its status is the one the
// index files it under, the definition version it is pinned to can be read, and its snapshot,
// when it has one, plus the events after it fold to the same state as all its events); every
// approval listed in the approvals-by-status index (its record decodes and has the status the
// index files it under); the directory of users and tokens (its stream verifies and follows on
// from seq 1, and only directory events are in it); the timers index holds exactly the timers
// the runs call for (waits, http steps' pending retries, pending approvals' timeouts and
// reminders); every webhook delivery waiting in the notify outbox (it decodes and its key is its
// delivery id); every schedule entry (it decodes and names a readable version); the audit index
// against a fold of every run's events, once it has been built (each start, decision, comment,
// cancel and retry has its entries, holding what the event says, read one by one; and the index
// holds no others, by comparing a sum of its entries with a sum of those the events imply, then
// reading each entry against its event only when they differ). Read-only; runs on the caller's
// thread.

#include "engine/engine.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/internal/approval_record.h"
#include "engine/internal/audit_index.h"
#include "engine/internal/comment_store.h"
#include "engine/internal/directory_state.h"
#include "engine/internal/directory_stream.h"
#include "engine/internal/index_keys.h"
#include "engine/internal/notify_outbox.h"
#include "engine/internal/run_snapshot.h"
#include "engine/internal/run_state.h"
#include "engine/internal/run_timer_keys.h"
#include "engine/internal/schedules.h"
#include "engine/internal/stored_table.h"
#include "engine/internal/workflow_registry.h"
#include "storage/event_log.h"
#include "schemas/event_generated.h"

namespace assent::engine {
namespace {

class Verifier {
 public:
  explicit Verifier(storage::EventLog& log) : log_(log), registry_(log) {}

  Result<VerifyReport> Run() {
    Status loaded = registry_.Load([this](const Status& skipped) { Problem(skipped.message()); });
    if (!loaded.ok()) return loaded;
    // A data dir whose audit index was never built (written before it, and not opened by a
    // server since) is not checked against it: the server builds it on start.
    std::string marker;
    Status built = log_.GetIndex(storage::Index::kAudit, kAuditBackfilledKey, &marker);
    if (!built.ok() && built.code() != StatusCode::kNotFound) return built;
    audit_built_ = built.ok();
    if (Status runs = CheckRuns(); !runs.ok()) return runs;
    if (Status approvals = CheckApprovals(); !approvals.ok()) return approvals;
    CheckDirectory();
    if (Status outbox = CheckOutbox(); !outbox.ok()) return outbox;
    if (Status audit = CheckAudit(); !audit.ok()) return audit;
    if (Status timers = CheckTimers(); !timers.ok()) return timers;
    if (Status schedules = CheckSchedules(); !schedules.ok()) return schedules;
    report_.workflow_versions = CountDefinitions();
    return std::move(report_);
  }

 private:
  void Problem(std::string line) { report_.problems.push_back(std::move(line)); }

  size_t CountDefinitions() {
    size_t count = 0;
    Status scanned = log_.ScanDefinitions(
        [&](std::string_view, uint32_t, std::string_view) { ++count; });
    return scanned.ok() ? count : 0;
  }

  Status CheckRuns() {
    return log_.ScanIndex(storage::Index::kRunsByStatus, "",
                          [this](std::string_view key, std::string_view) {
                            auto entry = DecodeRunsByStatusKey(key);
                            if (!entry) {
                              Problem("runs-by-status index: malformed key of " +
                                      std::to_string(key.size()) + " bytes");
                            } else {
                              ++report_.runs;
                              CheckRun(std::string(entry->id), entry->status);
                            }
                            return true;
                          });
  }

  void CheckRun(const std::string& run_id, RunStatus indexed) {
    std::string what = "run " + run_id;
    std::vector<std::string> records;
    if (Status read = log_.ReadRun(run_id, &records); !read.ok()) {
      return Problem(what + ": " + read.ToString());
    }
    if (records.empty()) return Problem(what + ": listed in the index but has no events");
    RunState folded;
    for (const std::string& record : records) {
      const fb::Event& event = *fb::GetEvent(record.data());
      Apply(folded, event);
      if (audit_built_) CheckAuditEntries(event, folded.workflow);
    }
    if (folded.status != indexed) {
      Problem(what + ": indexed as " + std::string(ToString(indexed)) + " but its events say " +
              std::string(ToString(folded.status)));
    }
    if (registry_.Get(folded.workflow, folded.version) == nullptr) {
      Problem(what + ": its workflow " + folded.workflow + " v" +
              std::to_string(folded.version) + " cannot be read");
    }
    CheckSnapshot(what, run_id, folded, records);
    CheckTimerEntries(what, folded);
  }

  // Every timer the run calls for (a wait's wake-up, a pending retry, a pending approval's
  // timeout and reminder) has its entry: else it would never fire.
  void CheckTimerEntries(const std::string& what, const RunState& folded) {
    for (const std::string& key : TimerKeysOf(folded)) {
      timers_expected_.Add(key, folded.run_id);
      std::string stored;
      Status found = log_.GetIndex(storage::Index::kTimers, key, &stored);
      std::string timer(DecodeTimerKey(key)->timer_id);  // built by TimerKeysOf: well formed
      if (!found.ok()) {
        Problem(what + ": timer " + timer + " is due but not in the timers index: " +
                found.ToString());
      } else if (stored != folded.run_id) {
        Problem(what + ": timer " + timer + " names run " + stored);
      }
    }
  }

  // No timer beyond those the runs call for: one left behind would fire at nothing (harmless,
  // but a sign the index and the log disagree).
  Status CheckTimers() {
    EntrySum stored;
    Status summed = log_.ScanIndex(storage::Index::kTimers, "", [&](auto key, auto value) {
      stored.Add(key, value);
      return true;
    });
    if (!summed.ok() || stored == timers_expected_) return summed;
    Problem("timers index: " + std::to_string(stored.count) +
            " entries where the runs call for " +
            std::to_string(timers_expected_.count) + ", or different ones");
    return Status::Ok();
  }

  // Each schedule entry reads, and names a version of its workflow that can be read. (One for a
  // version without a schedule is not a problem: the server drops it on its next start.)
  Status CheckSchedules() {
    return log_.ScanIndex(storage::Index::kSchedules, "", [this](auto key, auto value) {
      std::string what = "schedule of workflow " + std::string(key);
      auto entry = DecodeScheduleEntry(value);
      if (!entry) {
        Problem(what + ": malformed entry of " + std::to_string(value.size()) + " bytes");
      } else if (registry_.Get(key, entry->first) == nullptr) {
        Problem(what + ": armed for v" + std::to_string(entry->first) +
                ", which cannot be read");
      }
      return true;
    });
  }

  // A snapshot is a cache of the fold: with the events after it, it must give the same state.
  void CheckSnapshot(const std::string& what, const std::string& run_id, const RunState& folded,
                     const std::vector<std::string>& records) {
    std::string encoded;
    Status found = log_.GetIndex(storage::Index::kRunSnapshots, RunSnapshotKey(run_id), &encoded);
    if (found.code() == StatusCode::kNotFound) return;
    if (!found.ok()) return Problem(what + ": snapshot: " + found.ToString());
    if (encoded.starts_with('{')) return;  // a first-version JSON snapshot, ignored by design
    auto snapshot = DecodeSnapshot(encoded, StoredComments(log_));
    if (!snapshot.ok()) return Problem(what + ": snapshot: " + snapshot.status().ToString());
    RunState state = std::move(snapshot).value();
    if (state.last_seq > records.size()) {
      return Problem(what + ": snapshot is at seq " + std::to_string(state.last_seq) +
                     ", past its last event " + std::to_string(records.size()));
    }
    for (size_t i = state.last_seq; i < records.size(); ++i) {
      Apply(state, *fb::GetEvent(records[i].data()));
    }
    if (!(state == folded)) Problem(what + ": snapshot and events fold to different states");
  }

  Status CheckApprovals() {
    return log_.ScanIndex(storage::Index::kApprovalsByStatus, "",
                          [this](std::string_view key, std::string_view value) {
                            auto entry = DecodeApprovalsByStatusKey(key);
                            if (!entry) {
                              Problem("approvals-by-status index: malformed key of " +
                                      std::to_string(key.size()) + " bytes");
                              return true;
                            }
                            ++report_.approvals;
                            // Its comments too: an unreadable comment entry is a problem of the approval.
                            auto record = DecodeApprovalRecord(value, StoredComments(log_));
                            std::string what = "approval " + std::string(entry->id);
                            if (record.ok() && record->status != entry->status) {
                              Problem(what + ": indexed as " +
                                      std::string(ToString(entry->status)) +
                                      " but its record says " +
                                      std::string(ToString(record->status)));
                            }
                            // A first-version record (JSON) is listed by folding its run.
                            if (!record.ok() && !value.starts_with('{')) {
                              Problem(what + ": " + record.status().ToString());
                            }
                            return true;
                          });
  }

  void CheckDirectory() {
    std::vector<std::string> records;
    if (Status read = log_.ReadRun(kDirectoryStreamId, &records); !read.ok()) {
      return Problem("directory of users and tokens: " + read.ToString());
    }
    report_.identity_changes = records.size();
    for (const std::string& record : records) {
      const fb::Event& event = *fb::GetEvent(record.data());
      if (event.body_type() < fb::Body::UserAdded) {
        Problem("directory of users and tokens: seq " + std::to_string(event.seq()) +
                " is a run's event");
      }
      if (audit_built_) CheckAuditEntries(event, "");
    }
  }

  Status CheckOutbox() {
    return log_.ScanIndex(storage::Index::kNotifyOutbox, "",
                          [this](std::string_view key, std::string_view value) {
                            Result<OutboxDelivery> delivery = DecodeDelivery(value);
                            std::string what = "webhook delivery " + std::string(key);
                            if (!delivery.ok()) {
                              Problem(what + ": " + delivery.status().ToString());
                            } else if (delivery->id != key) {
                              Problem(what + ": its entry names delivery " + delivery->id);
                            }
                            return true;
                          });
  }

  // The entries `event` implies are in the audit index, as the event says (point reads, so a
  // large log needs no memory for the check).
  void CheckAuditEntries(const fb::Event& event, std::string_view workflow) {
    for (const storage::IndexOp& op : AuditIndexOps(event, workflow)) {
      audit_expected_.Add(op.key, *op.value);
      std::string stored;
      Status found = log_.GetIndex(storage::Index::kAudit, op.key, &stored);
      std::string what = "run " + std::string(StoredText(event.run_id())) + " seq " +
                         std::to_string(event.seq()) + ": ";
      if (found.code() == StatusCode::kNotFound) {
        Problem(what + "no audit entry " + std::string(ScopeName(op.key)));
      } else if (!found.ok()) {
        Problem(what + "audit entry: " + found.ToString());
      } else if (stored != *op.value) {
        Problem(what + "its audit entry " + std::string(ScopeName(op.key)) +
                " disagrees with the event");
      }
    }
  }

  static std::string_view ScopeName(std::string_view key) {
    switch (DecodeAuditKey(key)->scope) {  // built by AuditIndexOps: well formed
      case AuditScope::kEverything: return "of all entries";
      case AuditScope::kWorkflow: return "under its workflow";
      case AuditScope::kActor: return "under its actor";
    }
    return "";
  }

  // The entries of a set, summed up: two sets that differ almost surely differ here, so the
  // index is compared with what the events imply without holding either.
  struct EntrySum {
    size_t count = 0;
    uint64_t sum = 0;
    void Add(std::string_view key, std::string_view value) {
      ++count;
      sum += std::hash<std::string_view>()(key) * 31 + std::hash<std::string_view>()(value);
    }
    bool operator==(const EntrySum&) const = default;
  };

  // No entry beyond those the events imply: the index is summed up (EntrySum), and when it
  // differs, each entry is read against the event it names.
  Status CheckAudit() {
    if (!audit_built_) return Status::Ok();
    EntrySum stored;
    Status summed = log_.ScanIndex(storage::Index::kAudit, "", [&](auto key, auto value) {
      if (key != kAuditBackfilledKey) stored.Add(key, value);
      return true;
    });
    if (!summed.ok() || stored == audit_expected_) return summed;
    Problem("audit index: " + std::to_string(stored.count) + " entries where the events imply " +
            std::to_string(audit_expected_.count) + ", or different ones");
    return log_.ScanIndex(
        storage::Index::kAudit, "", [this](std::string_view key, std::string_view value) {
          if (key == kAuditBackfilledKey) return true;
          auto parts = DecodeAuditKey(key);
          if (!parts) {
            Problem("audit index: malformed key of " + std::to_string(key.size()) + " bytes");
            return true;
          }
          if (!NamesItsEvent(key, *DecodeAuditPosition(parts->position), value)) {
            auto position = DecodeAuditPosition(parts->position);
            Problem("audit entry for run " + position->run_id + " seq " +
                    std::to_string(position->seq) +
                    ": names no start, decision, comment, cancel or retry of that run");
          }
          return true;
        });
  }

  // Whether the entry `key` with `value` is one the event at `position` implies.
  bool NamesItsEvent(std::string_view key, const AuditPosition& position,
                     std::string_view value) {
    Result<AuditFacts> facts = DecodeAuditRecord(value);
    std::vector<std::string> records;
    if (!facts.ok() || !log_.ReadRun(position.run_id, position.seq, &records).ok() ||
        records.empty()) {
      return false;
    }
    const fb::Event& event = *fb::GetEvent(records.front().data());
    if (event.seq() != position.seq) return false;
    for (const storage::IndexOp& op : AuditIndexOps(event, facts->workflow)) {
      if (op.key == key && *op.value == value) return true;
    }
    return false;
  }

  storage::EventLog& log_;
  WorkflowRegistry registry_;
  bool audit_built_ = false;
  EntrySum audit_expected_;   // of the entries the runs' events imply
  EntrySum timers_expected_;  // of the timers the runs call for
  VerifyReport report_;
};

}  // namespace

Result<VerifyReport> VerifyLog(storage::EventLog& log) { return Verifier(log).Run(); }

}  // namespace assent::engine
