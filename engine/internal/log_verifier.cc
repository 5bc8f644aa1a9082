// VerifyLog (engine.h): reads every item the engine keeps in a log, as the engine itself would,
// and names each one it cannot read or that disagrees with the rest: `assent verify` over a
// data dir. The server skips such items (and logs them) so that one bad item never keeps it from
// starting; this is how an operator finds them all at once.
//
// Checked: every stored version of every workflow definition; every run listed in the
// runs-by-status index (its records verify and follow on from seq 1, its status is the one the
// index files it under, the definition version it is pinned to can be read, and its snapshot,
// when it has one, plus the events after it fold to the same state as all its events); every
// approval listed in the approvals-by-status index (its record decodes and has the status the
// index files it under); the directory of users and tokens (its stream verifies and follows on
// from seq 1, and only directory events are in it); the audit index against a fold of every
// run's events, once it has been built (each start, decision, comment and cancel has exactly
// its entries, holding what the event says, and no entry names anything else). Read-only; runs
// on the caller's thread.

#include "engine/engine.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/internal/approval_record.h"
#include "engine/internal/audit_index.h"
#include "engine/internal/comment_store.h"
#include "engine/internal/directory_state.h"
#include "engine/internal/directory_stream.h"
#include "engine/internal/index_keys.h"
#include "engine/internal/run_snapshot.h"
#include "engine/internal/run_state.h"
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
    if (Status runs = CheckRuns(); !runs.ok()) return runs;
    if (Status approvals = CheckApprovals(); !approvals.ok()) return approvals;
    CheckDirectory();
    if (Status audit = CheckAudit(); !audit.ok()) return audit;
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
      for (storage::IndexOp& op : AuditIndexOps(event, folded.workflow)) {
        expected_audit_.emplace(std::move(op.key), std::move(*op.value));
      }
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
    }
  }

  // The audit index must hold exactly the entries the runs' events imply (collected by
  // CheckRun). A data dir whose index was never built (written before it, and not yet opened
  // by a server since) is not checked: the server builds it on start.
  Status CheckAudit() {
    std::string marker;
    Status built = log_.GetIndex(storage::Index::kAudit, kAuditBackfilledKey, &marker);
    if (built.code() == StatusCode::kNotFound) return Status::Ok();
    if (!built.ok()) return built;
    Status scanned = log_.ScanIndex(
        storage::Index::kAudit, "", [this](std::string_view key, std::string_view value) {
          if (key == kAuditBackfilledKey) return true;
          auto parts = DecodeAuditKey(key);
          if (!parts) {
            Problem("audit index: malformed key of " + std::to_string(key.size()) + " bytes");
            return true;
          }
          auto position = DecodeAuditPosition(parts->position);
          std::string what = "audit entry for run " + position->run_id + " seq " +
                             std::to_string(position->seq);
          auto expected = expected_audit_.find(key);
          if (expected == expected_audit_.end()) {
            Problem(what + ": names no start, decision, comment or cancel of that run");
            return true;
          }
          if (expected->second != value) {
            Problem(what + ": its record disagrees with the event");
          }
          expected_audit_.erase(expected);
          return true;
        });
    if (!scanned.ok()) return scanned;
    for (const auto& [key, value] : expected_audit_) {
      auto parts = DecodeAuditKey(key);  // built by AuditIndexOps: well formed
      auto position = DecodeAuditPosition(parts->position);
      std::string_view scope = parts->scope == AuditScope::kEverything ? "of all entries"
                               : parts->scope == AuditScope::kWorkflow ? "under its workflow"
                                                                       : "under its actor";
      Problem("run " + position->run_id + " seq " + std::to_string(position->seq) +
              ": no audit entry " + std::string(scope));
    }
    return Status::Ok();
  }

  storage::EventLog& log_;
  WorkflowRegistry registry_;
  std::map<std::string, std::string, std::less<>> expected_audit_;  // audit key -> record
  VerifyReport report_;
};

}  // namespace

Result<VerifyReport> VerifyLog(storage::EventLog& log) { return Verifier(log).Run(); }

}  // namespace assent::engine
