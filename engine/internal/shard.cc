#include "engine/internal/shard.h"

#include <chrono>
#include <cstdio>
#include <future>

#include <boost/asio/post.hpp>

#include "engine/internal/index_keys.h"
#include "engine/internal/run_loader.h"

namespace assent::engine {
namespace {

namespace asio = boost::asio;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

size_t ShardOf(std::string_view run_id, size_t shard_count) {
  // FNV-1a: cheap, and spreads ids that differ only in their random tail.
  uint64_t hash = 14695981039346656037ull;
  for (char c : run_id) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash % shard_count;
}

Shard::Shard(size_t index, ShardContext context)
    : index_(index),
      context_(std::move(context)),
      log_(context_.log),
      registry_(context_.registry),
      options_(context_.options),
      loader_(log_, *options_.logger),
      work_(io_.get_executor()),
      waiters_(io_, [this](const std::string& run_id,
                           Callback<RunView> done) { AnswerCurrent(run_id, std::move(done)); }),
      lua_(LuaLimits{options_.lua_max_instructions, options_.lua_max_memory_bytes}),
      random_(std::random_device{}()) {}

Shard::~Shard() { Stop(); }

void Shard::Start(const std::vector<std::string>& run_ids) {
  for (const std::string& run_id : run_ids) {
    auto found = FindOrLoad(run_id);
    if (!found.ok()) {
      // One unreadable run must not keep every other run from resuming; it stays in the log.
      options_.logger->Error("run not resumed",
                             {{"run_id", run_id}, {"error", found.status().ToString()}});
    }
  }
  thread_ = std::thread([this] { io_.run(); });
  asio::post(io_, [this, run_ids] {
    for (const std::string& run_id : run_ids) {
      if (auto it = runs_.find(run_id); it != runs_.end()) Resume(*it->second);
    }
  });
}

void Shard::Drain() {
  if (thread_.joinable()) WaitForAcceptedWork();
}

void Shard::Stop() {
  if (thread_.joinable()) {
    std::promise<void> released;
    asio::post(io_, [this, &released] {
      waiters_.AnswerAll();
      idle_waiting_.clear();
      runs_.clear();
      io_.stop();  // here, so nothing queued behind this job runs against the cleared runs
      released.set_value();
    });
    released.get_future().wait();
    work_.reset();
    thread_.join();
  }
  std::unique_lock lock(appends_mutex_);
  appends_done_.wait(lock, [this] { return appends_in_flight_ == 0; });
}

Status Shard::Accept() {
  // Counted before the refusal check, so Drain cannot miss a command accepted just before
  // the engine began to refuse.
  ++accepted_;
  Status refused = Refusal();
  if (!refused.ok()) --accepted_;
  return refused;
}

template <typename Job>
void Shard::PostAccepted(Job job) {
  asio::post(io_, [this, job = std::move(job)]() mutable {
    --accepted_;
    job();
  });
}

void Shard::StartRun(StartRunCommand command, Callback<StartRunResult> done) {
  if (Status refused = Accept(); !refused.ok()) return done(refused);
  PostAccepted([this, command = std::move(command), done = std::move(done)] {
    DoStartRun(command, done);
  });
}

bool Shard::IdleOnEngineThread() {
  if (accepted_ > 0) return false;  // accepted, its job not run yet
  {
    std::lock_guard lock(appends_mutex_);
    if (appends_in_flight_ > 0) return false;
  }
  for (const auto& [run_id, run] : runs_) {
    if (run->committing || !run->queued.empty()) return false;
  }
  return true;
}

void Shard::WaitForAcceptedWork() {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::promise<bool> idle;
    asio::post(io_, [this, &idle] { idle.set_value(IdleOnEngineThread()); });
    if (idle.get_future().get()) return;
    std::unique_lock lock(appends_mutex_);
    appends_done_.wait_for(lock, std::chrono::milliseconds(5));
  }
  options_.logger->Error("shutdown gave up waiting for commits", {{"waited_s", 30}});
}

void Shard::Dispatch(std::string run_id, RunCommand command) {
  if (Status refused = Accept(); !refused.ok()) return command(refused);
  PostAccepted([this, run_id = std::move(run_id), command = std::move(command)] {
    RunOnEngine(run_id, command);
  });
}

void Shard::RunOnEngine(const std::string& run_id, RunCommand command) {
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

Result<Shard::LiveRun*> Shard::FindOrLoad(const std::string& run_id) {
  if (auto it = runs_.find(run_id); it != runs_.end()) {
    LiveRun& run = *it->second;
    if (run.idle_waiting) {  // in use again: out of the LRU until it is idle once more
      idle_waiting_.erase(*run.idle_waiting);
      run.idle_waiting.reset();
    }
    return &run;
  }
  auto state = loader_.Load(run_id);
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

void Shard::Commit(LiveRun& run, RunTxn& txn, CommitDone done) {
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
    // Reviewers hear of durable approval events from the commit thread, at once: going through
    // this shard's thread first would add its scheduling delay to every notification.
    if (status.ok()) context_.publish(notifications);
    asio::post(io_, [this, run_id, status, done] { OnCommitted(run_id, status, done); });
    std::lock_guard lock(appends_mutex_);
    if (--appends_in_flight_ == 0) appends_done_.notify_all();
  });
}

void Shard::OnCommitted(const std::string& run_id, const Status& status,
                             const CommitDone& done) {
  auto found = runs_.find(run_id);
  if (found == runs_.end()) return done(status);  // only after Stop released the runs
  LiveRun& run = *found->second;
  run.committing = false;
  if (!status.ok()) {
    // Memory ran ahead of the log: make it the durable state again.
    options_.logger->Error("commit failed", {{"run_id", run_id}, {"error", status.ToString()}});
    context_.on_storage_failure(status);
    auto durable = loader_.Load(run_id);
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
    if (context_.observer != nullptr) context_.observer->OnDurable(run.state);
    done(Status::Ok());
    if (run.state.finished()) waiters_.Finished(run.state);
    Kick(run);
  }
  DrainQueue(run_id);
  ReleaseIfIdle(run_id);
}

void Shard::DrainQueue(const std::string& run_id) {
  for (;;) {
    auto it = runs_.find(run_id);
    if (it == runs_.end() || it->second->committing || it->second->queued.empty()) return;
    auto command = std::move(it->second->queued.front());
    it->second->queued.pop_front();
    command();
  }
}

void Shard::ReleaseIfIdle(const std::string& run_id) {
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

void Shard::Forget(std::unordered_map<std::string, std::unique_ptr<LiveRun>>::iterator it) {
  if (it->second->idle_waiting) idle_waiting_.erase(*it->second->idle_waiting);
  runs_.erase(it);
}

void Shard::Kick(LiveRun& run) {
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

void Shard::Resume(LiveRun& run) {
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

void Shard::StartHttp(LiveRun& run, const StepDefinition& step) {
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

void Shard::ArmRetry(LiveRun& run) {
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

std::string Shard::NewRunId() {
  // Time first, so ids sort (and index scans list runs) roughly in start order. Drawn again
  // until the id lands on this shard: shard_count tries on average.
  for (;;) {
    char id[32];
    std::snprintf(id, sizeof(id), "run_%012llx%08llx", static_cast<unsigned long long>(NowMs()),
                  static_cast<unsigned long long>(random_() & 0xffffffffu));
    if (ShardOf(id, context_.shard_count) == index_) return id;
  }
}

void Shard::DoStartRun(const StartRunCommand& command, const Callback<StartRunResult>& done) {
  auto definition = registry_.Latest(command.workflow);
  if (!definition) return done(Status::NotFound("workflow '" + command.workflow + "' not found"));

  std::string start_key;
  if (!command.idempotency_key.empty()) {
    start_key = StartKey(command.workflow, command.idempotency_key);
    if (auto it = starting_keys_.find(start_key); it != starting_keys_.end()) {
      // The first start with this key is still committing, here: answer once it is durable.
      std::string run_id = it->second;
      return RunOnEngine(run_id, [this, wait = command.wait, done](Result<LiveRun*> run) {
        if (run.status().code() == StatusCode::kNotFound) {
          return done(Status::Unavailable("the first start with this key failed; retry"));
        }
        if (!run.ok()) return done(run.status());
        AnswerStart(**run, false, wait, done);
      });
    }
    // A durable run: answered without its state, which may live on another shard (run ids map
    // to shards only for the shard count they were made with). The engine waits on its owner.
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
  Commit(run, txn, [this, run_id, start_key, wait = command.wait, done](Status status) {
    if (!start_key.empty()) starting_keys_.erase(start_key);
    if (!status.ok()) return done(status);
    auto it = runs_.find(run_id);
    if (it == runs_.end()) return done(StartRunResult{run_id, true});  // only after Stop
    AnswerStart(*it->second, true, wait, done);
  });
}

void Shard::AnswerStart(LiveRun& run, bool created, std::chrono::milliseconds wait,
                        const Callback<StartRunResult>& done) {
  std::string run_id = run.state.run_id;
  if (wait.count() == 0) return done(StartRunResult{run_id, created});
  AwaitLoaded(run, wait, [done, run_id, created](Result<RunView> view) {
    if (!view.ok()) return done(view.status());
    done(StartRunResult{run_id, created, std::move(view).value()});
  });
}

void Shard::AwaitRun(std::string run_id, std::chrono::milliseconds wait, Callback<RunView> done) {
  Dispatch(std::move(run_id), [this, wait, done](Result<LiveRun*> found) {
    if (!found.ok()) return done(found.status());
    AwaitLoaded(**found, wait, done);
  });
}

void Shard::AwaitLoaded(LiveRun& run, std::chrono::milliseconds wait, Callback<RunView> done) {
  if (run.state.finished() || wait.count() == 0) return done(ToView(run.state));
  waiters_.Add(run.state.run_id, wait, std::move(done));
}

void Shard::AnswerCurrent(const std::string& run_id, Callback<RunView> done) {
  auto it = runs_.find(run_id);
  if (it != runs_.end() && !it->second->committing) return done(ToView(it->second->state));
  Result<RunState> durable = loader_.Load(run_id);
  durable.ok() ? done(ToView(std::move(durable).value())) : done(durable.status());
}

void Shard::Decide(DecideCommand command, Callback<ApprovalView> done) {
  std::string approval_id = command.approval_id;
  OnApproval(approval_id, std::move(done),
             [this, command = std::move(command)](RunTxn& txn, LiveRun& run) {
               return assent::engine::Decide(txn, ContextFor(run), command);
             });
}

void Shard::AddComment(CommentCommand command, Callback<ApprovalView> done) {
  std::string approval_id = command.approval_id;
  OnApproval(approval_id, std::move(done), [command = std::move(command)](RunTxn& txn, LiveRun&) {
    return assent::engine::AddComment(txn, command);
  });
}

void Shard::OnApproval(const std::string& approval_id, Callback<ApprovalView> done,
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

void Shard::Cancel(CancelCommand command, Callback<RunView> done) {
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

}  // namespace assent::engine
