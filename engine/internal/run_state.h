// RunState: everything known about one run, rebuilt only by folding its events with Apply.
//
// Apply is the single place run state changes, used unchanged for live events and on replay.
// It is deterministic: no clock, randomness or I/O; times and ids arrive inside the events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "engine/views.h"

namespace assent::fb {
struct Event;
}

namespace assent::engine {

struct RunState {
  std::string run_id;
  std::string workflow;
  uint32_t version = 0;
  std::string idempotency_key;
  std::string started_by;  // the principal who started it; empty in runs started before v0.9
  RunStatus status = RunStatus::kRunning;
  boost::json::object input;
  boost::json::object steps;       // completed steps' outputs by id
  boost::json::value last_output;  // the most recent step output: the run's result at the end

  // Where execution stands. `cursor` is the step to run next (empty: the first step) or the
  // step being waited on. `step_in_flight` is set from StepStarted until the step completes or
  // fails; `retry_pending` after a failure that will be retried.
  std::string cursor;
  uint32_t attempt = 0;
  uint64_t visit_seq = 0;  // seq of the cursor step's first StepStarted in this visit
  uint32_t failures = 0;   // StepFailed events in this visit (crashes are not failures)
  bool step_in_flight = false;
  bool retry_pending = false;
  int64_t wake_at_ms = 0;  // a wait step in flight: when it wakes up (its timer's due time)
  // A pending retry: when its next attempt starts (its timer's due time); 0: at once (a retry
  // recorded before retry timers) or none.
  int64_t retry_at_ms = 0;
  // The step's current attempts: the time after which it retries no more (its first failure
  // plus give_up_after); 0 before a failure, and in events written before it was kept.
  int64_t give_up_at_ms = 0;
  // A gated step's current call: the approval that let it run (tool_gate.h), until the step
  // completes; empty: none.
  std::string gate_approval_id;

  std::vector<ApprovalView> approvals;  // in request order
  std::optional<boost::json::value> output;
  std::string error;

  uint64_t last_seq = 0;
  int64_t started_at_ms = 0;
  int64_t updated_at_ms = 0;

  // Every field: the replay-equality check compares live and rebuilt states with this, so a
  // field added here is checked without anyone remembering to.
  bool operator==(const RunState&) const = default;

  bool finished() const {
    return status == RunStatus::kCompleted || status == RunStatus::kFailed ||
           status == RunStatus::kCancelled;
  }
  ApprovalView* FindApproval(std::string_view approval_id);
  const ApprovalView* FindApproval(std::string_view approval_id) const;
};

// Folds one event into `state`. REQUIRES: event.seq() == state.last_seq + 1 (the log verifies
// this on read; the engine assigns seqs in order).
// `payload`, when given, is the event's JSON payload (RunStarted's input, StepCompleted's and
// RunCompleted's output, ApprovalRequested's show) as it was before the engine serialized it
// into the event: Apply moves it into the state rather than parse the text back (eight parses
// per W1 run). It must equal what parsing gives; every engine test's replay check compares the
// live state with one folded from the log alone.
void Apply(RunState& state, const fb::Event& event, boost::json::value* payload = nullptr);

// What the API shows of a run. A state folded only to be shown is moved into its view; a live
// one is copied, only as far as the view needs.
RunView ToView(RunState&& state);
RunView ToView(const RunState& state);

}  // namespace assent::engine
