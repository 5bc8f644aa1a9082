// Shard: the runs hashed to one strand of the engine's threads, and the units that serve them:
//   Mailbox          takes commands (any thread) and runs the shard's work on its strand
//   CommitSequencer  one commit in flight per run; commands that arrive meanwhile queue
//   RunCache         the runs in memory (running ones, and an LRU of idle waiting ones)
//   EffectRunner     what durable states call for outside the engine (HTTP calls, retries)
//   RunWaiters       callers waiting for runs to finish
// The shard routes each command to its run: it finds or loads the run, lets a decider emit
// events into a RunTxn (deciders see the run read-only; only Apply changes it), commits them,
// and once they are durable answers the caller, reconciles effects and answers waiters.
// Nothing here is shared with other shards, so the hot path takes no locks; runs of all shards
// share syncs through the log's group commit.
//
// Thread safety: the command methods may be called from any thread; everything else runs on
// the shard's strand.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "engine/engine.h"
#include "engine/internal/run_timers.h"
#include "engine/internal/commit_sequencer.h"
#include "engine/internal/effect_runner.h"
#include "engine/internal/lua_sandbox.h"
#include "engine/internal/mailbox.h"
#include "engine/internal/notify_dispatcher.h"
#include "engine/internal/run_cache.h"
#include "engine/internal/run_commands.h"
#include "engine/internal/run_loader.h"
#include "engine/internal/open_engine.h"
#include "engine/internal/run_waiters.h"
#include "engine/internal/workflow_registry.h"
#include "storage/event_log.h"

namespace assent::engine {

// Which of `shard_count` shards owns `run_id`. Stable for the life of the process only (runs
// are placed again at every start), so it may change between versions.
size_t ShardOf(std::string_view run_id, size_t shard_count);

// What the shards of one engine share. Everything it refers to outlives the shards.
struct ShardContext {
  boost::asio::io_context& io;  // the threads shards run on
  storage::EventLog& log;
  WorkflowRegistry& registry;
  const EngineOptions& options;
  size_t shard_count;
  // Why a new command must be refused now (the engine is stopping, the log failed), or Ok.
  std::function<Status()> refusal;
  // A commit failed (kUnavailable: refused for now; else for good) / succeeded. Any thread.
  std::function<void(const Status&)> on_storage_failure;
  std::function<void()> on_committed;
  // Hands durable approval notifications to the engine's listeners; called on the log's
  // commit thread.
  CommitSequencer::Publish publish;
  // Sends the webhook deliveries a commit records, once it is durable.
  NotifyDispatcher& notify;
  // Told of each approval timer a commit arms or disarms, once it is durable.
  RunTimers& timers;
  const EngineHooks& hooks;  // none but in tests
  // The engine's wall clock (EngineHooks::clock, else the system's), unix milliseconds.
  std::function<int64_t()> now_ms;
  // The outbound connections of every shard's http steps (and the webhook deliveries).
  std::shared_ptr<HttpPool> http_pool;
};

class Shard {
 public:
  Shard(size_t index, ShardContext context);
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // Resumes the running runs `run_ids` (all hashed to this shard). A run that cannot be read is
  // logged and left in the log.
  void Start(std::vector<std::string> run_ids);

  // REQUIRES for the commands on an existing run: ShardOf(its run id) is this shard.
  // `access_checked`: the engine decided the start may happen (a hook's secret, a gate opened
  // by anyone signed in), so no access list is consulted.
  void StartRun(StartRunCommand command, Callback<StartRunResult> done,
                bool access_checked = false);
  void Decide(DecideCommand command, Callback<ApprovalView> done);
  void AddComment(CommentCommand command, Callback<ApprovalView> done);
  void Cancel(CancelCommand command, Callback<RunView> done);
  void Retry(RetryCommand command, Callback<RunView> done);
  void AwaitRun(const Principal& viewer, std::string run_id, std::chrono::milliseconds wait,
                Callback<RunView> done);
  // A timer of the run came due (RunTimers): an approval's timeout (its on_timeout decides,
  // if it is still pending) or reminder, a wait step's wake-up or an http step's retry. Any
  // thread.
  void FireTimer(std::string run_id, std::string timer_id, int64_t due_at_ms);

  // Shutdown, in two steps so every shard drains before any stops: Drain lets accepted
  // commands run and commits in flight land and answer (bounded); Stop drops what waits on
  // time or the network (its StepStarted is durable: recovery runs it again) and joins.
  void Drain();
  void Stop();

 private:
  using RunCommand = std::function<void(Result<LiveRun*>)>;
  using ApprovalDecider = std::function<Result<ApprovalView>(RunTxn&, const StepContext&)>;
  // May the command's principal do this to the approval of this run (access_rules.h)?
  using ApprovalAccess = std::function<Status(const WorkflowDefinition* latest,
                                              const LiveRun& run, const ApprovalView& approval)>;
  // A command on a run as a whole (cancel, retry): who may give it, and what it emits.
  using RunAccess = std::function<Status(const WorkflowDefinition* latest)>;
  using RunDecider = std::function<Status(RunTxn&, const StepContext&)>;

  // A command on an existing run, from any thread.
  void Dispatch(std::string run_id, RunCommand command);
  // The shard's strand only, below.
  // Runs `command` on the run once no commit of it is in flight, loading it if needed.
  void WithRun(const std::string& run_id, RunCommand command);
  // EffectRunner::Execute: runs `decider` on the run and commits what it emits.
  void Execute(const std::string& run_id, EffectRunner::Decider decider);
  // Commits what `txn` emitted for `run`; `done` runs once it is durable (at once if nothing).
  void Commit(LiveRun& run, RunTxn& txn, std::function<void(Status)> done);
  // Adds to `batch` the webhook deliveries its events call for, to the targets of the
  // workflow's latest version and to the targets of the notify steps that completed (none
  // when the outbox is full: logged); returns their ids.
  std::vector<std::string> RecordDeliveries(const LiveRun& run, storage::AppendBatch& batch);
  void OnDurable(const std::string& run_id, const Status& status);
  // The log refused to record the run's own progress (see EngineOptions::
  // storage_retry_interval): files it for a retry and arms the retry timer.
  void Stall(const std::string& run_id);
  // Drives stalled runs on as a restart would: all of them, or the first only (a probe).
  void RetryStalled(bool all);
  void LogFailure(const std::string& run_id);
  // Tells the approval timers what a durable commit's timer entries armed and disarmed.
  void FollowTimers(const std::vector<storage::IndexOp>& timer_ops);
  // The run has nothing in flight: the cache may file it away.
  void ReleaseIfIdle(const std::string& run_id);
  void OnApproval(const std::string& approval_id, Callback<ApprovalView> done,
                  ApprovalAccess access, ApprovalDecider decider);
  // Answers with the run as the command left it once that is durable.
  void OnRun(const std::string& run_id, Callback<RunView> done, RunAccess access,
             RunDecider decider);
  void DoStartRun(const StartRunCommand& command, const Callback<StartRunResult>& done,
                  bool access_checked);
  // Answers a start at once, or (with a wait) with the run once it finishes or the wait is over.
  void AnswerStart(LiveRun& run, bool created, std::chrono::milliseconds wait,
                   const Callback<StartRunResult>& done);
  // Answers with the run now if it has finished or `wait` is 0, else files a waiter.
  void AwaitLoaded(LiveRun& run, std::chrono::milliseconds wait, Callback<RunView> done);
  // Answers with the run as it stands: from memory, or from the log when it is not in memory
  // or a commit of it is in flight. Never waits (a run's queue may never run once the shard
  // stops).
  void AnswerCurrent(const std::string& run_id, Callback<RunView> done);
  StepContext ContextFor(const LiveRun& run) {
    return StepContext{*run.definition, lua_, options_};
  }
  // A new run id that ShardOf places on this shard.
  std::string NewRunId();
  int64_t NowMs() const { return context_.now_ms(); }

  const size_t index_;
  const ShardContext context_;
  const EngineOptions& options_;
  Logger& logger_;
  RunLoader loader_;
  LuaSandbox lua_;

  Mailbox mailbox_;  // before everything that runs on its strand
  CommitSequencer sequencer_;
  RunCache cache_;
  EffectRunner effects_;
  RunWaiters waiters_;

  bool stopping_ = false;  // set by Stop's last job: commands still queued are refused

  std::set<std::string> stalled_;  // runs whose progress the log refused for now
  boost::asio::steady_timer stall_timer_;
  bool stall_timer_armed_ = false;

  // Starts with an idempotency key whose run is not durable yet: a retry must find it here.
  std::unordered_map<std::string, std::string> starting_keys_;
  std::mt19937_64 random_;
  // The millisecond of the last run id made here, and the random tails used in it: NewRunId
  // never makes the same id twice.
  int64_t id_ms_ = 0;
  std::unordered_set<uint64_t> tails_this_ms_;
};

}  // namespace assent::engine
