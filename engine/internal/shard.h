// Shard: one engine thread and the runs hashed to it.
//
// A shard owns the live state of its unfinished runs (and a bounded LRU of idle waiting runs),
// a Lua sandbox, and an io_context run by its own thread; nothing in it is shared, so the hot
// path takes no locks. Each run commits at most one batch at a time: commands that arrive while
// its batch is being synced wait in the run's queue, so every command decides on durable state
// and a failed commit is undone by re-reading the log. Runs of all shards share syncs through
// the log's group commit. Effects (HTTP calls, retry timers, notifications, replies) start only
// after the commit that records them is durable.
//
// Thread safety: the command methods may be called from any thread; everything else runs on
// the shard's thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "engine/engine.h"
#include "engine/internal/definition.h"
#include "engine/internal/http_call.h"
#include "engine/internal/lua_sandbox.h"
#include "engine/internal/run_commands.h"
#include "engine/internal/run_loader.h"
#include "engine/internal/run_observer.h"
#include "engine/internal/run_txn.h"
#include "engine/internal/run_waiters.h"
#include "engine/internal/workflow_registry.h"
#include "storage/event_log.h"

namespace assent::engine {

// Which of `shard_count` shards owns `run_id`. Stable for the life of the process only (runs
// are placed again at every start), so it may change between versions.
size_t ShardOf(std::string_view run_id, size_t shard_count);

// What the shards of one engine share. Everything it refers to outlives the shards.
struct ShardContext {
  storage::EventLog& log;
  WorkflowRegistry& registry;
  const EngineOptions& options;
  size_t shard_count;
  // Why a new command must be refused now (the engine is stopping, the log failed), or Ok.
  std::function<Status()> refusal;
  std::function<void(const Status&)> on_storage_failure;
  // Hands durable approval notifications to the engine's listeners; called on the log's
  // commit thread.
  std::function<void(const std::vector<ApprovalNotification>&)> publish;
  RunObserver* observer;  // null but in tests
};

class Shard {
 public:
  Shard(size_t index, ShardContext context);
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // Loads the running runs `run_ids` (all hashed to this shard), starts the thread and resumes
  // them. A run that cannot be read is logged and left in the log.
  void Start(const std::vector<std::string>& run_ids);

  // REQUIRES for the commands on an existing run: ShardOf(its run id) is this shard.
  void StartRun(StartRunCommand command, Callback<StartRunResult> done);
  void Decide(DecideCommand command, Callback<ApprovalView> done);
  void AddComment(CommentCommand command, Callback<ApprovalView> done);
  void Cancel(CancelCommand command, Callback<RunView> done);
  void AwaitRun(std::string run_id, std::chrono::milliseconds wait, Callback<RunView> done);

  // Shutdown, in two steps so every shard drains before any stops: Drain lets accepted
  // commands run and commits in flight land and answer (bounded); Stop drops what waits on
  // time or the network (its StepStarted is durable: recovery runs it again) and joins.
  void Drain();
  void Stop();

 private:
  struct LiveRun {
    RunState state;
    std::shared_ptr<const WorkflowDefinition> definition;
    bool committing = false;
    bool call_outstanding = false;
    std::unique_ptr<boost::asio::steady_timer> retry_timer;
    std::deque<std::function<void()>> queued;  // commands waiting for the commit in flight
    // Where the run stands in idle_waiting_ while it is an idle waiting run.
    std::optional<std::list<std::string>::iterator> idle_waiting;
  };
  using Runs = std::unordered_map<std::string, std::unique_ptr<LiveRun>>;
  using RunCommand = std::function<void(Result<LiveRun*>)>;
  using ApprovalCommand = std::function<Result<ApprovalView>(RunTxn&, LiveRun&)>;
  using CommitDone = std::function<void(Status)>;

  Status Refusal() { return context_.refusal(); }
  // A new command: Ok and counted in accepted_ (Drain waits for it) until PostAccepted's job
  // runs, or why it is refused, and nothing counted. Any thread.
  Status Accept();
  template <typename Job>
  void PostAccepted(Job job);  // any thread; REQUIRES: Accept() was Ok for this job
  void Dispatch(std::string run_id, RunCommand command);  // any thread
  // Shard thread only, below.
  void RunOnEngine(const std::string& run_id, RunCommand command);
  Result<LiveRun*> FindOrLoad(const std::string& run_id);
  void Commit(LiveRun& run, RunTxn& txn, CommitDone done);
  void OnCommitted(const std::string& run_id, const Status& status, const CommitDone& done);
  void DrainQueue(const std::string& run_id);
  // Drops a finished idle run from memory, and files an idle waiting run in the LRU (evicting
  // the oldest beyond max_cached_waiting_runs).
  void ReleaseIfIdle(const std::string& run_id);
  void Forget(Runs::iterator it);
  void Kick(LiveRun& run);
  void Resume(LiveRun& run);
  void StartHttp(LiveRun& run, const StepDefinition& step);
  void ArmRetry(LiveRun& run);
  // Runs `command` on the run that owns `approval_id` and answers with the approval once durable.
  void OnApproval(const std::string& approval_id, Callback<ApprovalView> done,
                  ApprovalCommand command);
  void DoStartRun(const StartRunCommand& command, const Callback<StartRunResult>& done);
  // Answers a start at once, or (with a wait) with the run once it finishes or the wait is over.
  void AnswerStart(LiveRun& run, bool created, std::chrono::milliseconds wait,
                   const Callback<StartRunResult>& done);
  // Answers with the run now if it has finished or `wait` is 0, else files a waiter.
  void AwaitLoaded(LiveRun& run, std::chrono::milliseconds wait, Callback<RunView> done);
  // Answers with the run as it stands: from memory, or from the log when it is not in memory
  // or a commit of it is in flight. Never waits (a run's queue may never run once the shard
  // stops).
  void AnswerCurrent(const std::string& run_id, Callback<RunView> done);
  bool IdleOnEngineThread();
  void WaitForAcceptedWork();
  StepContext ContextFor(const LiveRun& run) {
    return StepContext{*run.definition, lua_, options_};
  }
  // A new run id that ShardOf places on this shard.
  std::string NewRunId();

  const size_t index_;
  ShardContext context_;
  storage::EventLog& log_;
  WorkflowRegistry& registry_;
  const EngineOptions& options_;
  RunLoader loader_;

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  RunWaiters waiters_;  // after io_: its timers must go before the io_context
  std::thread thread_;

  // Appends whose callback has not run yet; Stop waits for them so no callback can reach a
  // destroyed shard.
  std::mutex appends_mutex_;
  std::condition_variable appends_done_;
  size_t appends_in_flight_ = 0;

  // Commands accepted (past the refusal check) whose job has not run yet; Drain waits for them.
  std::atomic<size_t> accepted_{0};

  LuaSandbox lua_;
  Runs runs_;
  std::list<std::string> idle_waiting_;  // idle waiting runs in memory, most recently used first
  // Starts with an idempotency key whose run is not durable yet: a retry must find it here.
  std::unordered_map<std::string, std::string> starting_keys_;
  std::mt19937_64 random_;
};

}  // namespace assent::engine
