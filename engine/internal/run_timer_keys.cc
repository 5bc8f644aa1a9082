#include "engine/internal/run_timer_keys.h"

#include "engine/internal/index_keys.h"

namespace assent::engine {

std::vector<std::string> TimerKeysOf(const RunState& state) {
  std::vector<std::string> keys;
  if (state.status == RunStatus::kRunning && state.step_in_flight && state.wake_at_ms > 0) {
    keys.push_back(TimerKey(state.wake_at_ms, WaitTimerId(state.run_id, state.visit_seq)));
  }
  if (state.status == RunStatus::kRunning && state.retry_pending && state.retry_at_ms > 0) {
    keys.push_back(TimerKey(state.retry_at_ms, RetryTimerId(state.run_id)));
  }
  for (const ApprovalView& approval : state.approvals) {
    if (approval.status != ApprovalStatus::kPending) continue;
    if (approval.due_at_ms > 0) keys.push_back(TimerKey(approval.due_at_ms, approval.id));
    if (approval.remind_at_ms > 0) {
      keys.push_back(TimerKey(approval.remind_at_ms, ReminderTimerId(approval.id)));
    }
  }
  return keys;
}

}  // namespace assent::engine
