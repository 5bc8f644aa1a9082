// EffectRunner: what runs need done outside the engine once their state is durable: the HTTP
// call of an in-flight http step, and the next step of a run between steps. (A pending retry
// waits on its durable timer, run_timers.h, like every other timer of a run.) Each effect's
// outcome comes back as a decider executed on the run (so it is recorded in the log before
// anything depends on it), never as a change made on the side.
//
// Level-triggered: Reconcile looks at a run's durable state and starts what it calls for that
// is not under way yet, and stops what it no longer calls for. It runs after every durable
// commit and when a run is resumed after a restart, so recovery needs no effect log of its own.
//
// Thread safety: none; the shard's strand only. Timers and calls complete on it, through the
// mailbox's guard (so an outcome after the shard stopped reaches nothing).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_set>

#include "engine/engine.h"
#include "engine/internal/mailbox.h"
#include "engine/internal/run_commands.h"
#include "engine/internal/run_txn.h"

namespace assent::engine {

class EffectRunner {
 public:
  // Emits the events of one command into a transaction on the run.
  using Decider = std::function<void(RunTxn&, const StepContext&)>;
  // Runs `decider` on the run (loading it if it left memory) and commits what it emits.
  using Execute = std::function<void(const std::string& run_id, Decider decider)>;

  // http steps call out through `http_pool` (http_pool.h), shared by every shard.
  EffectRunner(Mailbox& mailbox, const EngineOptions& options, std::shared_ptr<HttpPool> http_pool,
               Execute execute);
  EffectRunner(const EffectRunner&) = delete;
  EffectRunner& operator=(const EffectRunner&) = delete;

  // `state` is durable: starts what it calls for, stops what it no longer does.
  void Reconcile(const RunState& state, const WorkflowDefinition& definition);
  // A run that was running when the engine last stopped: a step that had started but never
  // finished runs again as a new attempt (with the same idempotency key); the rest reconciles.
  void Resume(const RunState& state, const WorkflowDefinition& definition);

  // A call of the run is under way: started, and its outcome not yet handed to the run.
  bool Busy(const std::string& run_id) const { return calls_.contains(run_id); }

  // Forgets the run's call: it can no longer be loaded, so no outcome can be recorded.
  void Forget(const std::string& run_id) { calls_.erase(run_id); }
  // Forgets every call under way (their StepStarted is durable: recovery runs them again).
  void StopAll() { calls_.clear(); }

 private:
  void StartHttp(const RunState& state, const StepDefinition& step);

  Mailbox& mailbox_;
  const EngineOptions& options_;
  const std::shared_ptr<HttpPool> http_pool_;
  const Execute execute_;
  std::unordered_set<std::string> calls_;  // runs with a call under way
};

}  // namespace assent::engine
