#include "engine/internal/effect_runner.h"

namespace assent::engine {

EffectRunner::EffectRunner(Mailbox& mailbox, const EngineOptions& options,
                           std::shared_ptr<HttpPool> http_pool, Execute execute)
    : mailbox_(mailbox),
      options_(options),
      http_pool_(std::move(http_pool)),
      execute_(std::move(execute)) {}

void EffectRunner::Reconcile(const RunState& state, const WorkflowDefinition& definition) {
  // A cancelled or failed run calls nothing more. A call under way is left to answer: its
  // outcome is stale and the decider ignores it.
  if (state.status != RunStatus::kRunning) return;
  if (state.retry_pending) {
    // Its durable timer (run_timers.h) starts the next attempt, unless the failure was recorded
    // before retries had timers: that retry starts now.
    if (state.retry_at_ms > 0) return;
    return execute_(state.run_id, [](RunTxn& txn, const StepContext&) {
      const RunState& now = txn.state();
      if (now.status == RunStatus::kRunning && now.retry_pending) RestartStep(txn);
    });
  }
  if (state.step_in_flight) {
    const StepDefinition* step = definition.Find(state.cursor);
    if (step != nullptr && step->type == StepType::kHttp && !calls_.contains(state.run_id)) {
      StartHttp(state, *step);
    }
    return;
  }
  // Running and between steps: carry on with the next one.
  execute_(state.run_id, [](RunTxn& txn, const StepContext& context) { Advance(txn, context); });
}

void EffectRunner::Resume(const RunState& state, const WorkflowDefinition& definition) {
  if (state.status != RunStatus::kRunning) return;
  if (state.step_in_flight) {
    // A wait goes on waiting: its timer is durable (RunTimers fires it).
    const StepDefinition* step = definition.Find(state.cursor);
    if (step != nullptr && step->type == StepType::kWait) return;
    // Started before the crash, never completed: run it again as a new attempt.
    return execute_(state.run_id, [](RunTxn& txn, const StepContext&) { RestartStep(txn); });
  }
  Reconcile(state, definition);
}

void EffectRunner::StartHttp(const RunState& state, const StepDefinition& step) {
  calls_.insert(state.run_id);
  auto on_outcome = [this, run_id = state.run_id, step_id = step.id,
                     attempt = state.attempt](Result<HttpCallResponse> outcome) {
    execute_(run_id, [this, run_id, step_id, attempt, outcome](RunTxn& txn,
                                                              const StepContext& context) {
      // Only now, with the outcome on its way into the log: a commit of the run that lands
      // before this (a comment) must not see the step as uncalled and call it again.
      calls_.erase(run_id);
      CompleteHttpStep(txn, context, step_id, attempt, outcome);
    });
  };
  auto request = BuildHttpRequest(state, step, options_);
  if (!request.ok()) {
    mailbox_.Post([on_outcome, status = request.status()] { on_outcome(status); });
    return;
  }
  StartHttpCall(http_pool_, mailbox_.executor(), std::move(request).value(),
                mailbox_.Guard(on_outcome));
}

}  // namespace assent::engine
