#include "engine/internal/effect_runner.h"

#include <algorithm>


namespace assent::engine {

namespace asio = boost::asio;

EffectRunner::EffectRunner(Mailbox& mailbox, const EngineOptions& options,
                           std::shared_ptr<HttpPool> http_pool, Execute execute)
    : mailbox_(mailbox),
      options_(options),
      http_pool_(std::move(http_pool)),
      execute_(std::move(execute)) {}

void EffectRunner::Reconcile(const RunState& state, const WorkflowDefinition& definition) {
  if (state.status != RunStatus::kRunning) {
    // A cancelled or failed run retries nothing. A call under way is left to answer: its
    // outcome is stale and the decider ignores it.
    if (auto it = effects_.find(state.run_id); it != effects_.end()) {
      it->second.retry_timer.reset();
      Tidy(state.run_id);
    }
    return;
  }
  if (state.retry_pending) return ArmRetry(state);
  if (state.step_in_flight) {
    const StepDefinition* step = definition.Find(state.cursor);
    auto it = effects_.find(state.run_id);
    bool outstanding = it != effects_.end() && it->second.call_outstanding;
    if (step != nullptr && step->type == StepType::kHttp && !outstanding) StartHttp(state, *step);
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
  effects_[state.run_id].call_outstanding = true;
  auto on_outcome = [this, run_id = state.run_id, step_id = step.id,
                     attempt = state.attempt](Result<HttpCallResponse> outcome) {
    execute_(run_id, [this, run_id, step_id, attempt, outcome](RunTxn& txn,
                                                              const StepContext& context) {
      // Only now, with the outcome on its way into the log: a commit of the run that lands
      // before this (a comment) must not see the step as uncalled and call it again.
      if (auto it = effects_.find(run_id); it != effects_.end()) {
        it->second.call_outstanding = false;
        Tidy(run_id);
      }
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

void EffectRunner::ArmRetry(const RunState& state) {
  RunEffects& effects = effects_[state.run_id];
  if (effects.retry_timer) return;
  uint32_t doublings = std::min<uint32_t>(state.attempt > 0 ? state.attempt - 1 : 0, 10);
  auto delay = std::chrono::milliseconds(uint64_t{options_.http_retry_backoff_ms} << doublings);
  effects.retry_timer = std::make_unique<asio::steady_timer>(mailbox_.executor(), delay);
  effects.retry_timer->async_wait(mailbox_.Guard([this, run_id = state.run_id](
                                                     boost::system::error_code ec) {
    if (ec) return;  // cancelled: the run finished meanwhile
    execute_(run_id, [this, run_id](RunTxn& txn, const StepContext&) {
      // The timer stays armed until the restart is on its way, as above for calls.
      if (auto it = effects_.find(run_id); it != effects_.end()) {
        it->second.retry_timer.reset();
        Tidy(run_id);
      }
      const RunState& state = txn.state();
      if (state.status == RunStatus::kRunning && state.retry_pending) RestartStep(txn);
    });
  }));
}

void EffectRunner::Tidy(const std::string& run_id) {
  auto it = effects_.find(run_id);
  if (it != effects_.end() && !it->second.call_outstanding && !it->second.retry_timer) {
    effects_.erase(it);
  }
}

}  // namespace assent::engine
