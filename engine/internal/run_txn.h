// RunTxn: the events one command produces for one run, on their way to one durable append.
//
// Emit() encodes an event with the run's next seq, then applies it to the run's state at once,
// so the rest of the command decides on up-to-date state (the same Apply as replay). Finish()
// turns the events into an AppendBatch together with the index changes they imply (run status,
// approval statuses, the start's idempotency key; keys as index_keys.h builds them), derived
// by diffing state before and after, the audit entries of the events that record what someone
// did (audit_index.h), and a snapshot of the run when one is due.
//
// Used only on the run's shard strand; the state must not change by other means until Finish().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/internal/run_state.h"
#include "schemas/event_generated.h"
#include "storage/event_log.h"

namespace assent::engine {

class RunTxn {
 public:
  // A transaction on `state`, a run that has started.
  RunTxn(RunState& state, int64_t now_ms) : RunTxn(state.run_id, state, now_ms) {}
  // The transaction that starts run `run_id`: `state` stays empty until its RunStarted applies.
  static RunTxn NewRun(std::string run_id, RunState& state, int64_t now_ms) {
    return RunTxn(std::move(run_id), state, now_ms);
  }

  // `body` is one of the object-API tables, e.g. fb::StepStartedT. `payload`: the JSON value
  // serialized into its payload field, if the caller still has it (run_state.h Apply).
  template <typename Body>
  void Emit(Body body, std::optional<boost::json::value> payload = std::nullopt) {
    fb::BodyUnion union_body;
    union_body.Set(std::move(body));
    EmitUnion(std::move(union_body), std::move(payload));
  }

  // The run as the events emitted so far left it. Read-only: only Apply changes a run.
  const RunState& state() const { return state_; }
  RunStatus status_before() const { return status_before_; }
  // The time every event of the transaction carries (its envelope's at_ms).
  int64_t now_ms() const { return now_ms_; }
  bool empty() const { return batch_.records.empty(); }

  // The approvals whose requests, decisions or comments this transaction emitted, as they stand
  // after it: what reviewers are told once it is durable.
  std::vector<ApprovalNotification> TakeNotifications() { return std::move(notifications_); }

  storage::AppendBatch Finish();

 private:
  RunTxn(std::string run_id, RunState& state, int64_t now_ms);
  void EmitUnion(fb::BodyUnion body, std::optional<boost::json::value> payload);

  const std::string run_id_;
  RunState& state_;
  int64_t now_ms_;
  uint64_t seq_before_;  // 0: the transaction starts the run
  RunStatus status_before_;
  // The timers the run called for when the transaction began (run_timer_keys.h).
  std::vector<std::string> timers_before_;
  // What each approval's index entry reflected when the transaction began.
  struct ApprovalMark {
    std::string id;
    ApprovalStatus status;
    size_t decisions;
    size_t comments;
    uint32_t rung;
    int64_t remind_at_ms;
  };
  std::vector<ApprovalMark> approvals_before_;
  storage::AppendBatch batch_;
  std::vector<ApprovalNotification> notifications_;
};

}  // namespace assent::engine
