// EngineImpl: the Engine facade's implementation.
//
// Threading: one engine thread runs an io_context; all run state (runs_, lua_, starting_keys_)
// is touched only there. Commands from any thread are posted to it. Each run commits at most one
// batch at a time: commands that arrive while its batch is being synced wait in the run's queue,
// so every command decides on durable state and a failed commit can be undone by re-reading the
// log. Different runs commit concurrently and share syncs through the log's group commit.
// Effects (HTTP calls, retry timers, notifications, replies) start only after the commit that
// records them is durable.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <iostream>
#include <list>
#include <map>
#include <random>
#include <thread>
#include <unordered_map>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "engine/engine.h"
#include "engine/internal/run_commands.h"
#include "engine/internal/run_queries.h"
#include "engine/internal/run_reader.h"
#include "engine/internal/workflow_registry.h"
#include "storage/rocks_event_log.h"

namespace assent::engine {
namespace {

namespace asio = boost::asio;

class EngineImpl final : public Engine {
 public:
  EngineImpl(storage::EventLog& log, std::unique_ptr<storage::EventLog> owned_log,
             EngineOptions options)
      : owned_log_(std::move(owned_log)),
        log_(log),
        options_(options),
        registry_(log),
        queries_(log),
        work_(io_.get_executor()),
        lua_(LuaLimits{options.lua_max_instructions, options.lua_max_memory_bytes}),
        random_(std::random_device{}()) {}

  ~EngineImpl() override {
    Shutdown();
    owned_log_.reset();  // before io_ and the runs: nothing of the log's may outlive them
  }

  Status Start();

  Result<WorkflowView> ApplyWorkflow(std::string_view name,
                                     const boost::json::value& definition) override {
    return registry_.Apply(name, definition);
  }
  Result<WorkflowView> GetWorkflow(std::string_view name) override;
  Result<std::vector<WorkflowView>> ListWorkflows() override;

  void StartRun(StartRunCommand command, Callback<StartRunResult> done) override;
  void Decide(DecideCommand command, Callback<ApprovalView> done) override;
  void AddComment(CommentCommand command, Callback<ApprovalView> done) override;
  void Cancel(CancelCommand command, Callback<RunView> done) override;

  Result<RunView> GetRun(std::string_view run_id) override { return queries_.GetRun(run_id); }
  Result<std::vector<RunView>> ListRuns(std::optional<RunStatus> status, size_t limit) override {
    return queries_.ListRuns(status, limit);
  }
  Result<std::vector<EventView>> GetEvents(std::string_view run_id) override {
    return queries_.GetEvents(run_id);
  }
  Result<ApprovalView> GetApproval(std::string_view approval_id) override {
    return queries_.GetApproval(approval_id);
  }
  Result<std::vector<ApprovalView>> ListApprovals(std::optional<ApprovalStatus> status,
                                                  size_t limit) override {
    return queries_.ListApprovals(status, limit);
  }

  uint64_t Subscribe(Listener listener) override;
  void Unsubscribe(uint64_t subscription) override;
  Status Health() override;
  void Shutdown() override;

 private:
  struct LiveRun {
    RunState state;
    std::shared_ptr<const WorkflowDefinition> definition;
    bool committing = false;
    bool call_outstanding = false;
    std::unique_ptr<asio::steady_timer> retry_timer;
    std::deque<std::function<void()>> queued;  // commands waiting for the commit in flight
    // Where the run stands in idle_waiting_ while it is an idle waiting run.
    std::optional<std::list<std::string>::iterator> idle_waiting;
  };
  using RunCommand = std::function<void(Result<LiveRun*>)>;
  using ApprovalCommand = std::function<Result<ApprovalView>(RunTxn&, LiveRun&)>;
  using CommitDone = std::function<void(Status)>;

  // Engine thread only, below.
  // Why a new command cannot be accepted now (shutting down, or the log failed), or Ok.
  Status Refusal();
  void OnStorageFailure(const Status& status);
  bool IdleOnEngineThread();
  void WaitForAcceptedWork();
  void Dispatch(std::string run_id, RunCommand command);  // any thread
  void RunOnEngine(const std::string& run_id, RunCommand command);
  Result<LiveRun*> FindOrLoad(const std::string& run_id);
  void Commit(LiveRun& run, RunTxn& txn, CommitDone done);
  void OnCommitted(const std::string& run_id, const Status& status,
                   const std::vector<ApprovalNotification>& notifications, const CommitDone& done);
  void DrainQueue(const std::string& run_id);
  // Drops a finished idle run from memory, and files an idle waiting run in the LRU (evicting
  // the oldest beyond max_cached_waiting_runs).
  void ReleaseIfIdle(const std::string& run_id);
  void Forget(std::unordered_map<std::string, std::unique_ptr<LiveRun>>::iterator it);
  void Kick(LiveRun& run);
  void Resume(LiveRun& run);
  void StartHttp(LiveRun& run, const StepDefinition& step);
  void ArmRetry(LiveRun& run);
  // Runs `command` on the run that owns `approval_id` and answers with the approval once durable.
  void OnApproval(const std::string& approval_id, Callback<ApprovalView> done,
                  ApprovalCommand command);
  void DoStartRun(const StartRunCommand& command, const Callback<StartRunResult>& done);
  void Publish(const std::vector<ApprovalNotification>& notifications);
  StepContext ContextFor(const LiveRun& run) {
    return StepContext{*run.definition, lua_, options_};
  }
  std::string NewRunId();
  static int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // Declared first so it is destroyed last: callbacks it still holds post into io_.
  std::unique_ptr<storage::EventLog> owned_log_;
  storage::EventLog& log_;
  const EngineOptions options_;
  WorkflowRegistry registry_;
  RunQueries queries_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::mutex failure_mutex_;
  Status storage_failure_;  // guarded by failure_mutex_; set once, by the first failed commit

  // Appends whose callback has not run yet; Shutdown waits for them so no callback can reach
  // a destroyed engine.
  std::mutex appends_mutex_;
  std::condition_variable appends_done_;
  size_t appends_in_flight_ = 0;

  LuaSandbox lua_;
  std::unordered_map<std::string, std::unique_ptr<LiveRun>> runs_;
  std::list<std::string> idle_waiting_;  // idle waiting runs in memory, most recently used first
  // Starts with an idempotency key whose run is not durable yet: a retry must find it here.
  std::unordered_map<std::string, std::string> starting_keys_;
  std::mt19937_64 random_;

  std::mutex listeners_mutex_;
  std::map<uint64_t, std::shared_ptr<const Listener>> listeners_;
  uint64_t next_subscription_ = 1;
};

Status EngineImpl::Start() {
  if (Status loaded = registry_.Load(); !loaded.ok()) return loaded;

  // Only running runs have work to resume. Waiting runs need nothing until a decision arrives
  // (their approvals are listed from the index), so they stay on disk.
  std::vector<std::string> unfinished;
  Status scanned = log_.ScanIndex(storage::Index::kRunsByStatus,
                                  std::string(1, static_cast<char>(RunStatus::kRunning)),
                                  [&](std::string_view key, std::string_view) {
                                    unfinished.emplace_back(key.substr(1));
                                    return true;
                                  });
  if (!scanned.ok()) return scanned;
  for (const std::string& run_id : unfinished) {
    auto found = FindOrLoad(run_id);
    if (!found.ok()) {
      // One unreadable run must not keep every other run from resuming; it stays in the log.
      std::cerr << "assent: run " << run_id << " not resumed: " << found.status().ToString()
                << std::endl;
    }
  }
  thread_ = std::thread([this] { io_.run(); });
  asio::post(io_, [this, unfinished] {
    for (const std::string& run_id : unfinished) {
      if (auto it = runs_.find(run_id); it != runs_.end()) Resume(*it->second);
    }
  });
  return Status::Ok();
}

void EngineImpl::Shutdown() {
  if (stopping_.exchange(true)) return;  // from here on, new commands are refused
  if (thread_.joinable()) {
    WaitForAcceptedWork();
    // What still waits on time or the network (retry timers, HTTP calls) is dropped: its
    // StepStarted is durable, so recovery runs it again.
    std::promise<void> released;
    asio::post(io_, [this, &released] {
      idle_waiting_.clear();
      runs_.clear();
      released.set_value();
    });
    released.get_future().wait();
    work_.reset();
    io_.stop();
    thread_.join();
  }
  std::unique_lock lock(appends_mutex_);
  appends_done_.wait(lock, [this] { return appends_in_flight_ == 0; });
}

bool EngineImpl::IdleOnEngineThread() {
  {
    std::lock_guard lock(appends_mutex_);
    if (appends_in_flight_ > 0) return false;
  }
  for (const auto& [run_id, run] : runs_) {
    if (run->committing || !run->queued.empty()) return false;
  }
  return true;
}

// Lets every accepted command run and every commit in flight land and answer its caller. A
// commit's callback posts OnCommitted before it counts itself done, so a probe posted after
// that finds its effects applied. Bounded: a stuck disk must not hang shutdown forever.
void EngineImpl::WaitForAcceptedWork() {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::promise<bool> idle;
    asio::post(io_, [this, &idle] { idle.set_value(IdleOnEngineThread()); });
    if (idle.get_future().get()) return;
    std::unique_lock lock(appends_mutex_);
    appends_done_.wait_for(lock, std::chrono::milliseconds(5));
  }
  std::cerr << "assent: shutdown gave up waiting for commits after 30 s" << std::endl;
}

// ---- Command plumbing -------------------------------------------------------------------

Status EngineImpl::Refusal() {
  if (stopping_) return Status::Unavailable("the engine is shutting down");
  return Health();
}

Status EngineImpl::Health() {
  std::lock_guard lock(failure_mutex_);
  return storage_failure_;
}

void EngineImpl::OnStorageFailure(const Status& status) {
  {
    std::lock_guard lock(failure_mutex_);
    if (!storage_failure_.ok()) return;
    storage_failure_ = Status::Unavailable("storage failed (" + status.ToString() +
                                           "); restart to recover from the log");
  }
  if (options_.on_storage_failure) options_.on_storage_failure(status);
}

void EngineImpl::Dispatch(std::string run_id, RunCommand command) {
  if (Status refused = Refusal(); !refused.ok()) return command(refused);
  asio::post(io_, [this, run_id = std::move(run_id), command = std::move(command)] {
    RunOnEngine(run_id, command);
  });
}

void EngineImpl::RunOnEngine(const std::string& run_id, RunCommand command) {
  auto found = FindOrLoad(run_id);
  if (!found.ok()) return command(found.status());
  LiveRun* run = *found;
  if (run->committing) {
    run->queued.push_back([this, run_id, command] { RunOnEngine(run_id, command); });
    return;
  }
  command(run);
  ReleaseIfIdle(run_id);
}

Result<EngineImpl::LiveRun*> EngineImpl::FindOrLoad(const std::string& run_id) {
  if (auto it = runs_.find(run_id); it != runs_.end()) {
    LiveRun& run = *it->second;
    if (run.idle_waiting) {  // in use again: out of the LRU until it is idle once more
      idle_waiting_.erase(*run.idle_waiting);
      run.idle_waiting.reset();
    }
    return &run;
  }
  auto state = LoadRunState(log_, run_id);
  if (!state.ok()) return state.status();
  auto run = std::make_unique<LiveRun>();
  run->definition = registry_.Get(state->workflow, state->version);
  if (!run->definition) {
    return Status::Corruption("run " + run_id + ": workflow " + state->workflow + " v" +
                              std::to_string(state->version) + " is not stored");
  }
  run->state = std::move(state).value();
  LiveRun* raw = run.get();
  runs_.emplace(run_id, std::move(run));
  return raw;
}

void EngineImpl::Commit(LiveRun& run, RunTxn& txn, CommitDone done) {
  storage::AppendBatch batch = txn.Finish();
  if (batch.records.empty()) return done(Status::Ok());
  run.committing = true;
  {
    std::lock_guard lock(appends_mutex_);
    ++appends_in_flight_;
  }
  log_.Append(std::move(batch), [this, run_id = run.state.run_id,
                                 notifications = txn.TakeNotifications(),
                                 done = std::move(done)](Status status) {
    asio::post(io_, [this, run_id, status, notifications, done] {
      OnCommitted(run_id, status, notifications, done);
    });
    std::lock_guard lock(appends_mutex_);
    if (--appends_in_flight_ == 0) appends_done_.notify_all();
  });
}

void EngineImpl::OnCommitted(const std::string& run_id, const Status& status,
                             const std::vector<ApprovalNotification>& notifications,
                             const CommitDone& done) {
  LiveRun& run = *runs_.at(run_id);
  run.committing = false;
  if (!status.ok()) {
    // Memory ran ahead of the log: make it the durable state again.
    std::cerr << "assent: commit for run " << run_id << " failed: " << status.ToString()
              << std::endl;
    OnStorageFailure(status);
    auto durable = LoadRunState(log_, run_id);
    if (durable.ok()) {
      run.state = std::move(durable).value();
    } else {
      auto queued = std::move(run.queued);
      Forget(runs_.find(run_id));
      done(status);
      for (auto& command : queued) command();
      return;
    }
    done(status);
  } else {
    Publish(notifications);
    done(Status::Ok());
    Kick(run);
  }
  DrainQueue(run_id);
  ReleaseIfIdle(run_id);
}

void EngineImpl::DrainQueue(const std::string& run_id) {
  for (;;) {
    auto it = runs_.find(run_id);
    if (it == runs_.end() || it->second->committing || it->second->queued.empty()) return;
    auto command = std::move(it->second->queued.front());
    it->second->queued.pop_front();
    command();
  }
}

void EngineImpl::ReleaseIfIdle(const std::string& run_id) {
  auto it = runs_.find(run_id);
  if (it == runs_.end()) return;
  LiveRun& run = *it->second;
  bool idle = !run.committing && run.queued.empty() && !run.retry_timer && !run.call_outstanding;
  if (!idle) return;
  if (run.state.finished()) return Forget(it);
  if (run.state.status != RunStatus::kWaiting) return;
  if (run.idle_waiting) idle_waiting_.erase(*run.idle_waiting);
  idle_waiting_.push_front(run_id);
  run.idle_waiting = idle_waiting_.begin();
  while (idle_waiting_.size() > options_.max_cached_waiting_runs) {
    Forget(runs_.find(idle_waiting_.back()));
  }
}

void EngineImpl::Forget(std::unordered_map<std::string, std::unique_ptr<LiveRun>>::iterator it) {
  if (it->second->idle_waiting) idle_waiting_.erase(*it->second->idle_waiting);
  runs_.erase(it);
}

// ---- Effects of durable state -------------------------------------------------------------

void EngineImpl::Kick(LiveRun& run) {
  const RunState& state = run.state;
  if (state.status != RunStatus::kRunning) {
    run.retry_timer.reset();  // cancels a pending retry of a cancelled or failed run
    return;
  }
  if (state.retry_pending) return ArmRetry(run);
  if (state.step_in_flight) {
    const StepDefinition* step = run.definition->Find(state.cursor);
    if (step != nullptr && step->type == StepType::kHttp && !run.call_outstanding) {
      StartHttp(run, *step);
    }
    return;
  }
  RunTxn txn(run.state, NowMs());
  Advance(txn, ContextFor(run));
  Commit(run, txn, [](Status) {});
}

void EngineImpl::Resume(LiveRun& run) {
  const RunState& state = run.state;
  if (state.status != RunStatus::kRunning) return;
  if (state.step_in_flight) {
    // Started before the crash, never completed: run it again as a new attempt.
    RunTxn txn(run.state, NowMs());
    RestartStep(txn);
    return Commit(run, txn, [](Status) {});
  }
  Kick(run);
}

void EngineImpl::StartHttp(LiveRun& run, const StepDefinition& step) {
  run.call_outstanding = true;
  auto on_outcome = [this, run_id = run.state.run_id, step_id = step.id,
                     attempt = run.state.attempt](Result<HttpCallResponse> outcome) {
    RunOnEngine(run_id, [this, step_id, attempt, outcome](Result<LiveRun*> found) {
      if (!found.ok()) return;
      LiveRun& run = **found;
      run.call_outstanding = false;
      RunTxn txn(run.state, NowMs());
      CompleteHttpStep(txn, ContextFor(run), step_id, attempt, outcome);
      Commit(run, txn, [](Status) {});
    });
  };
  auto request = BuildHttpRequest(run.state, step, options_);
  if (!request.ok()) {
    asio::post(io_, [on_outcome, status = request.status()] { on_outcome(status); });
    return;
  }
  StartHttpCall(io_, std::move(request).value(), on_outcome);
}

void EngineImpl::ArmRetry(LiveRun& run) {
  if (run.retry_timer) return;
  uint32_t doublings = std::min<uint32_t>(run.state.attempt > 0 ? run.state.attempt - 1 : 0, 10);
  auto delay = std::chrono::milliseconds(uint64_t{options_.http_retry_backoff_ms} << doublings);
  run.retry_timer = std::make_unique<asio::steady_timer>(io_, delay);
  run.retry_timer->async_wait([this, run_id = run.state.run_id](boost::system::error_code ec) {
    if (ec) return;  // cancelled: the run finished meanwhile
    RunOnEngine(run_id, [this](Result<LiveRun*> found) {
      if (!found.ok()) return;
      LiveRun& run = **found;
      run.retry_timer.reset();
      if (run.state.status != RunStatus::kRunning || !run.state.retry_pending) return;
      RunTxn txn(run.state, NowMs());
      RestartStep(txn);
      Commit(run, txn, [](Status) {});
    });
  });
}

void EngineImpl::Publish(const std::vector<ApprovalNotification>& notifications) {
  if (notifications.empty()) return;
  std::vector<std::shared_ptr<const Listener>> listeners;
  {
    std::lock_guard lock(listeners_mutex_);
    for (const auto& [id, listener] : listeners_) listeners.push_back(listener);
  }
  for (const ApprovalNotification& notification : notifications) {
    for (const auto& listener : listeners) (*listener)(notification);
  }
}

std::string EngineImpl::NewRunId() {
  // Time first, so ids sort (and index scans list runs) roughly in start order.
  char id[32];
  std::snprintf(id, sizeof(id), "run_%012llx%08llx", static_cast<unsigned long long>(NowMs()),
                static_cast<unsigned long long>(random_() & 0xffffffffu));
  return id;
}

// ---- Commands -----------------------------------------------------------------------------

void EngineImpl::StartRun(StartRunCommand command, Callback<StartRunResult> done) {
  if (Status refused = Refusal(); !refused.ok()) return done(refused);
  asio::post(io_, [this, command = std::move(command), done = std::move(done)] {
    DoStartRun(command, done);
  });
}

void EngineImpl::DoStartRun(const StartRunCommand& command, const Callback<StartRunResult>& done) {
  auto definition = registry_.Latest(command.workflow);
  if (!definition) return done(Status::NotFound("workflow '" + command.workflow + "' not found"));

  std::string start_key;
  if (!command.idempotency_key.empty()) {
    start_key = StartKey(command.workflow, command.idempotency_key);
    if (auto it = starting_keys_.find(start_key); it != starting_keys_.end()) {
      // The first start with this key is still committing: answer when it is durable.
      std::string run_id = it->second;
      return RunOnEngine(run_id, [done, run_id](Result<LiveRun*> run) {
        if (run.status().code() == StatusCode::kNotFound) {
          return done(Status::Unavailable("the first start with this key failed; retry"));
        }
        if (!run.ok()) return done(run.status());
        done(StartRunResult{run_id, false});
      });
    }
    std::string existing;
    Status found = log_.GetIndex(storage::Index::kStartKeys, start_key, &existing);
    if (found.ok()) return done(StartRunResult{existing, false});
    if (found.code() != StatusCode::kNotFound) return done(found);
  }

  auto owned = std::make_unique<LiveRun>();
  LiveRun& run = *owned;
  run.definition = definition;
  run.state.run_id = NewRunId();
  std::string run_id = run.state.run_id;
  runs_.emplace(run_id, std::move(owned));

  RunTxn txn(run.state, NowMs());
  assent::engine::StartRun(txn, ContextFor(run), command);
  if (!start_key.empty()) starting_keys_.emplace(start_key, run_id);
  Commit(run, txn, [this, run_id, start_key, done](Status status) {
    if (!start_key.empty()) starting_keys_.erase(start_key);
    if (!status.ok()) return done(status);
    done(StartRunResult{run_id, true});
  });
}

void EngineImpl::Decide(DecideCommand command, Callback<ApprovalView> done) {
  std::string approval_id = command.approval_id;
  OnApproval(approval_id, std::move(done),
             [this, command = std::move(command)](RunTxn& txn, LiveRun& run) {
               return assent::engine::Decide(txn, ContextFor(run), command);
             });
}

void EngineImpl::AddComment(CommentCommand command, Callback<ApprovalView> done) {
  std::string approval_id = command.approval_id;
  OnApproval(approval_id, std::move(done), [command = std::move(command)](RunTxn& txn, LiveRun&) {
    return assent::engine::AddComment(txn, command);
  });
}

void EngineImpl::OnApproval(const std::string& approval_id, Callback<ApprovalView> done,
                            ApprovalCommand command) {
  std::string run_id(RunIdOfApproval(approval_id));
  Status not_found = Status::NotFound("approval " + approval_id + " not found");
  if (run_id.empty()) return done(not_found);
  Dispatch(run_id, [this, not_found, done, command](Result<LiveRun*> found) {
    if (!found.ok()) {
      return done(found.status().code() == StatusCode::kNotFound ? not_found : found.status());
    }
    LiveRun& run = **found;
    RunTxn txn(run.state, NowMs());
    auto approval = command(txn, run);
    if (!approval.ok()) return done(approval.status());
    Commit(run, txn, [done, view = *approval](Status status) {
      status.ok() ? done(view) : done(status);
    });
  });
}

void EngineImpl::Cancel(CancelCommand command, Callback<RunView> done) {
  std::string run_id = command.run_id;
  Dispatch(run_id, [this, command, done](Result<LiveRun*> found) {
    if (!found.ok()) return done(found.status());
    LiveRun& run = **found;
    RunTxn txn(run.state, NowMs());
    if (Status cancelled = assent::engine::Cancel(txn, command); !cancelled.ok()) {
      return done(cancelled);
    }
    Commit(run, txn, [done, view = ToView(run.state)](Status status) {
      status.ok() ? done(view) : done(status);
    });
  });
}

// ---- Queries ----------------------------------------------------------------------------

Result<WorkflowView> EngineImpl::GetWorkflow(std::string_view name) {
  auto definition = registry_.Latest(name);
  if (!definition) return Status::NotFound("workflow '" + std::string(name) + "' not found");
  return WorkflowRegistry::ToView(*definition);
}

Result<std::vector<WorkflowView>> EngineImpl::ListWorkflows() {
  std::vector<WorkflowView> views;
  for (const auto& definition : registry_.AllLatest()) {
    views.push_back(WorkflowRegistry::ToView(*definition));
  }
  return views;
}

uint64_t EngineImpl::Subscribe(Listener listener) {
  std::lock_guard lock(listeners_mutex_);
  uint64_t id = next_subscription_++;
  listeners_.emplace(id, std::make_shared<const Listener>(std::move(listener)));
  return id;
}

void EngineImpl::Unsubscribe(uint64_t subscription) {
  std::lock_guard lock(listeners_mutex_);
  listeners_.erase(subscription);
}

Result<std::unique_ptr<Engine>> OpenOver(storage::EventLog& log,
                                         std::unique_ptr<storage::EventLog> owned,
                                         EngineOptions options) {
  auto engine = std::make_unique<EngineImpl>(log, std::move(owned), options);
  if (Status started = engine->Start(); !started.ok()) return started;
  return std::unique_ptr<Engine>(std::move(engine));
}

}  // namespace

Result<std::unique_ptr<Engine>> Engine::Open(const std::string& data_dir, EngineOptions options) {
  auto log = storage::RocksEventLog::Open(data_dir);
  if (!log.ok()) return log.status();
  storage::EventLog& raw = **log;
  return OpenOver(raw, std::move(log).value(), options);
}

Result<std::unique_ptr<Engine>> Engine::Open(storage::EventLog& log, EngineOptions options) {
  return OpenOver(log, nullptr, options);
}

}  // namespace assent::engine
