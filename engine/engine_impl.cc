// EngineImpl: the Engine facade over a set of shards.
//
// It owns what all runs share: the log, the workflow registry, the read side, the reviewers'
// listeners and the storage-failure state. Commands go to the shard that owns their run
// (ShardOf(run id)); a new run goes to the shard its idempotency key hashes to, or round-robin,
// and gets an id that hashes back to that shard. Queries fold the log on the caller's thread and
// touch no shard.
#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include <boost/json/serialize.hpp>

#include "engine/engine.h"
#include "engine/internal/open_engine.h"
#include "engine/internal/audit_backfill.h"
#include "engine/internal/audit_queries.h"
#include "engine/internal/access_rules.h"
#include "engine/internal/agent_gate.h"
#include "engine/internal/index_keys.h"
#include "engine/internal/limits.h"
#include "engine/internal/notify_dispatcher.h"
#include "engine/internal/pending_tally.h"
#include "base/io_threads.h"
#include "base/json_text.h"
#include "engine/internal/run_commands.h"
#include "engine/internal/run_queries.h"
#include "engine/internal/run_txn.h"
#include "engine/internal/schedules.h"
#include "engine/internal/shard.h"
#include "engine/internal/workflow_registry.h"
#include "storage/event_log.h"

namespace assent::engine {
namespace {

class EngineImpl final : public Engine {
 public:
  EngineImpl(storage::EventLog& log, EngineOptions options, EngineHooks hooks)
      : log_(log),
        hooks_(std::move(hooks)),
        options_(std::move(options)),
        registry_(log),
        queries_(log, registry_, *options_.logger),
        audit_(log, *options_.logger) {}

  ~EngineImpl() override {
    Shutdown();
    shards_.clear();
  }

  Status Start();

  Result<WorkflowView> ApplyWorkflow(const Principal& by, std::string_view name,
                                     const boost::json::value& definition) override {
    Result<WorkflowView> applied = registry_.Apply(name, definition, [&](auto latest) {
      return CheckApply(by, latest);
    });
    return Applied(std::move(applied));
  }
  Result<WorkflowView> GetWorkflow(const Principal& viewer, std::string_view name) override;
  Result<std::vector<WorkflowView>> ListWorkflows(const Principal& viewer) override;
  Result<std::vector<WorkflowView>> ListWorkflowVersions(const Principal& viewer,
                                                         std::string_view name) override;
  Result<WorkflowView> SetWorkflowDisabled(const Principal& by, std::string_view name,
                                           bool disabled) override;
  bool MayView(const Principal& viewer, std::string_view workflow) override {
    return queries_.MayView(viewer, workflow);
  }
  bool MayViewApproval(const Principal& viewer, const ApprovalView& approval) override {
    return queries_.MayViewApproval(viewer, approval);
  }

  void StartRun(StartRunCommand command, Callback<StartRunResult> done) override {
    // Keys of fire times are the schedule's own: a client's could make one fire time start
    // nothing.
    if (command.idempotency_key.starts_with(kScheduleKeyPrefix) &&
        command.actor.channel != Channel::kSchedule) {
      return done(Status::InvalidArgument(
          "an Idempotency-Key may not start with \"schedule:\" (the keys of schedules' fire "
          "times)"));
    }
    if (command.workflow == kAgentGateWorkflow) {
      return done(Status::InvalidArgument("gates are opened with OpenGate (POST /v1/gates)"));
    }
    if (command.wait.count() > 0) {
      done = WaitForExistingRun(command.actor.principal, command.wait, std::move(done));
    }
    StartOnShard(std::move(command), std::move(done), /*access_checked=*/false);
  }
  void StartRunFromHook(HookStartCommand command, Callback<StartRunResult> done) override {
    Result<StartRunCommand> start = HookStart(std::move(command));
    if (!start.ok()) return done(start.status());
    StartOnShard(std::move(start).value(), std::move(done), /*access_checked=*/true);
  }
  void OpenGate(OpenGateCommand command, Callback<OpenGateResult> done) override;
  void AwaitGate(const Principal& viewer, std::string gate_id, std::chrono::milliseconds wait,
                 Callback<ApprovalView> done) override;
  void Decide(DecideCommand command, Callback<ApprovalView> done) override {
    if (Status sized = CheckSize("the decision's comment", command.comment.size(),
                                 options_.max_comment_bytes, "max_comment_bytes");
        !sized.ok()) {
      return done(sized);
    }
    ShardForApproval(command.approval_id).Decide(std::move(command), std::move(done));
  }
  void AddComment(CommentCommand command, Callback<ApprovalView> done) override {
    if (Status sized = CheckSize("the comment", command.text.size(), options_.max_comment_bytes,
                                 "max_comment_bytes");
        !sized.ok()) {
      return done(sized);
    }
    ShardForApproval(command.approval_id).AddComment(std::move(command), std::move(done));
  }
  void Cancel(CancelCommand command, Callback<RunView> done) override {
    ShardForRun(command.run_id).Cancel(std::move(command), std::move(done));
  }
  void Retry(RetryCommand command, Callback<RunView> done) override {
    ShardForRun(command.run_id).Retry(std::move(command), std::move(done));
  }
  void AwaitRun(const Principal& viewer, std::string run_id, std::chrono::milliseconds wait,
                Callback<RunView> done) override {
    ShardForRun(run_id).AwaitRun(viewer, std::move(run_id), wait, std::move(done));
  }

  Result<RunView> GetRun(const Principal& viewer, std::string_view run_id) override {
    return queries_.GetRun(viewer, run_id);
  }
  Result<RunPage> ListRuns(const Principal& viewer, const RunQuery& query) override {
    return queries_.ListRuns(viewer, query);
  }
  Result<std::vector<EventView>> GetEvents(const Principal& viewer,
                                           std::string_view run_id) override {
    return queries_.GetEvents(viewer, run_id);
  }
  Result<ApprovalView> GetApproval(const Principal& viewer,
                                   std::string_view approval_id) override {
    return queries_.GetApproval(viewer, approval_id);
  }
  Result<ApprovalPage> ListApprovals(const Principal& viewer,
                                     const ApprovalQuery& query) override {
    return queries_.ListApprovals(viewer, query);
  }
  Status ForEachApproval(const Principal& viewer, std::optional<ApprovalStatus> status,
                         const std::function<bool(const ApprovalView&)>& visit) override {
    return queries_.ForEachApproval(viewer, status, visit);
  }
  Status ForEachApprovalNewestFirst(
      ApprovalStatus status, std::string_view before_id,
      const std::function<bool(const ApprovalView&)>& visit) override {
    return queries_.ForEachApprovalNewestFirst(status, before_id, visit);
  }
  DecidersView Deciders(const Principal& viewer, const ApprovalView& approval) override {
    return queries_.Deciders(viewer, approval);
  }
  size_t CountDecidable(const Principal& viewer) override {
    return queries_.CountDecidable(viewer, pending_);
  }
  uint64_t LastCursor() override { return log_.LastPosition(); }

  Result<AuditPage> ListAudit(const AuditQuery& query, const Principal& viewer) override {
    // The entries of workflows the viewer may see (identity changes, of no workflow: admins).
    return audit_.List(query, viewer, [this, &viewer](std::string_view workflow) {
      return queries_.MayView(viewer, workflow);
    });
  }

  uint64_t Subscribe(Listener listener) override;
  void Unsubscribe(uint64_t subscription) override;
  Status Health() override;
  void Shutdown() override;

 private:
  Shard& ShardForRun(std::string_view run_id) {
    return *shards_[ShardOf(run_id, shards_.size())];
  }
  // A malformed approval id names no run; any shard answers NotFound for it.
  Shard& ShardForApproval(std::string_view approval_id) {
    return ShardForRun(RunIdOfApproval(approval_id));
  }
  // Starts the run on the shard its idempotency key maps to (any, without a key), once its
  // input passes CheckInput.
  void StartOnShard(StartRunCommand command, Callback<StartRunResult> done, bool access_checked) {
    if (Status checked = CheckInput(command.input); !checked.ok()) return done(checked);
    size_t shard = command.idempotency_key.empty()
                       ? next_shard_++ % shards_.size()
                       : ShardOf(StartKey(command.workflow, command.idempotency_key),
                                 shards_.size());
    shards_[shard]->StartRun(std::move(command), std::move(done), access_checked);
  }
  // A start with a wait whose key names a durable run is answered by the key's shard without
  // the run (its owner may be another shard): this waits for it on the run's own shard.
  Callback<StartRunResult> WaitForExistingRun(const Principal& by, std::chrono::milliseconds wait,
                                              Callback<StartRunResult> done) {
    return [this, by, wait, done = std::move(done)](Result<StartRunResult> result) {
      if (!result.ok() || result->run) return done(std::move(result));
      std::string run_id = result->run_id;
      ShardForRun(run_id).AwaitRun(by, run_id, wait, [done, run_id](Result<RunView> run) {
        if (!run.ok()) return done(run.status());
        done(StartRunResult{run_id, false, std::move(run).value()});
      });
    };
  }
  // The outcome of storing a definition: a new version may arm or disarm its schedule.
  Result<WorkflowView> Applied(Result<WorkflowView> applied) {
    if (applied.ok()) {
      schedules_->Changed(applied->name);
      applied->next_fire_at_ms = schedules_->NextFireTime(applied->name);
    } else if (applied.status().code() == StatusCode::kUnavailable) {
      OnWritesRefused(applied.status());
    }
    return applied;
  }
  // What every start's input must be: JSON the log can store, within max_input_bytes.
  Status CheckInput(const boost::json::object& input) const {
    if (Status writable = CheckJsonWritable(input, "input"); !writable.ok()) return writable;
    return CheckSize("the run's input", boost::json::serialize(input).size(),
                     options_.max_input_bytes, "max_input_bytes");
  }
  // The start a hook request makes, once it proved it knows the hook's secret: as the hook, on
  // the hook channel, keyed by its delivery id (when it sent one).
  Result<StartRunCommand> HookStart(HookStartCommand command);
  Status Refusal();
  void OnStorageFailure(const Status& status);
  // The log refused a write for now / took one: logs the change of state, once each way.
  void OnWritesRefused(const Status& status);
  void OnCommitted();
  void Publish(const std::vector<ApprovalNotification>& notifications);

  storage::EventLog& log_;
  const EngineHooks hooks_;
  const EngineOptions options_;
  WorkflowRegistry registry_;
  RunQueries queries_;
  AuditQueries audit_;
  PendingTally pending_;  // filled in Start, before any commit; then follows Publish
  // The engine's own threads, when it was given none to run on. Declared before the shards,
  // which run on its io_context: they are destroyed first.
  std::unique_ptr<IoThreads> own_threads_;
  // Before the dispatcher and the shards, which call out through it.
  std::shared_ptr<HttpPool> http_pool_;
  std::unique_ptr<NotifyDispatcher> notify_;  // before the shards, which hand it deliveries
  std::unique_ptr<RunTimers> timers_;    // before the shards, which arm and disarm them
  std::unique_ptr<Schedules> schedules_;  // before the shards, which answer its starts
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<size_t> next_shard_{0};
  std::atomic<bool> stopping_{false};

  std::mutex failure_mutex_;
  Status storage_failure_;  // guarded by failure_mutex_; set once, by the first failed commit
  std::atomic<bool> writes_refused_{false};  // since the last refused write, none succeeded

  std::mutex listeners_mutex_;
  std::map<uint64_t, std::shared_ptr<const Listener>> listeners_;
  uint64_t next_subscription_ = 1;
};

Status EngineImpl::Start() {
  Status loaded = registry_.Load([this](const Status& skipped) {
    options_.logger->Error("unreadable workflow definition skipped",
                           {{"error", skipped.ToString()}});
  });
  if (!loaded.ok()) return loaded;
  // Before any shard runs: no commit can interleave with the backfill.
  if (Status audited = BackfillAudit(log_, *options_.logger); !audited.ok()) return audited;
  if (Status tallied = queries_.TallyPending(pending_); !tallied.ok()) return tallied;

  size_t count = options_.shards != 0 ? options_.shards
                                      : std::max<size_t>(1, std::thread::hardware_concurrency());
  if (options_.io_context == nullptr) own_threads_ = std::make_unique<IoThreads>(count);
  boost::asio::io_context& io =
      options_.io_context != nullptr ? *options_.io_context : own_threads_->io();
  http_pool_ = std::make_shared<HttpPool>(
      io, HttpPoolOptions{options_.http_max_connections_per_host,
                          options_.http_max_queued_per_host, options_.http_idle_timeout});
  notify_ = std::make_unique<NotifyDispatcher>(
      io, log_, registry_, *options_.logger,
      NotifyDispatcherOptions{
          NotifyRetryPolicy{options_.notify_retry_initial, options_.notify_retry_max,
                            options_.notify_give_up_after},
          options_.notify_max_pending, options_.notify_max_in_flight, options_.notify_timeout,
          options_.http_allow_link_local,
          hooks_.notify_clock ? hooks_.notify_clock : [] {
            return std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                .count();
          }},
      http_pool_);
  // Deliveries recorded before the last stop (or crash) go out again.
  if (Status resumed = notify_->Start(); !resumed.ok()) return resumed;
  std::function<int64_t()> now_ms = hooks_.clock ? hooks_.clock : [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  timers_ = std::make_unique<RunTimers>(
      io, log_, *options_.logger, now_ms, hooks_.timer_poll,
      [this](const std::string& run_id, const std::string& timer_id, int64_t due_at_ms) {
        ShardForRun(run_id).FireTimer(run_id, timer_id, due_at_ms);
      });
  ShardContext context{io,
                       log_,
                       registry_,
                       options_,
                       count,
                       [this] { return Refusal(); },
                       [this](const Status& status) { OnStorageFailure(status); },
                       [this] { OnCommitted(); },
                       [this](const std::vector<ApprovalNotification>& notifications) {
                         Publish(notifications);
                       },
                       *notify_,
                       *timers_,
                       hooks_,
                       now_ms,
                       http_pool_};
  for (size_t i = 0; i < count; ++i) shards_.push_back(std::make_unique<Shard>(i, context));

  // Only running runs have work to resume. Waiting runs need nothing until a decision arrives
  // (their approvals are listed from the index), so they stay on disk.
  std::vector<std::vector<std::string>> running(count);
  Status scanned = log_.ScanIndex(storage::Index::kRunsByStatus,
                                  RunsByStatusPrefix(RunStatus::kRunning),
                                  [&](std::string_view key, std::string_view) {
                                    auto entry = DecodeRunsByStatusKey(key);
                                    if (!entry) {
                                      options_.logger->Error("malformed runs-by-status key skipped",
                                                             {{"key_bytes", key.size()}});
                                      return true;
                                    }
                                    running[ShardOf(entry->id, count)].emplace_back(entry->id);
                                    return true;
                                  });
  if (!scanned.ok()) return scanned;
  for (size_t i = 0; i < count; ++i) shards_[i]->Start(running[i]);
  // Timeouts that came due while the engine was down fire now.
  if (Status timers = timers_->Start(); !timers.ok()) return timers;
  // And fire times, as each schedule's catch_up says.
  schedules_ = std::make_unique<Schedules>(
      io, log_, registry_, *options_.logger, now_ms, hooks_.timer_poll,
      [this](StartRunCommand command, Callback<StartRunResult> done) {
        StartRun(std::move(command), std::move(done));
      });
  return schedules_->Start();
}

void EngineImpl::Shutdown() {
  if (stopping_.exchange(true)) return;  // from here on, new commands are refused
  // Every shard drains before any stops: a reply may still be owed by any of them. They drain
  // side by side, so a stuck one holds the shutdown once, not once per shard.
  std::vector<std::thread> draining;
  for (auto& shard : shards_) draining.emplace_back([&shard] { shard->Drain(); });
  for (std::thread& thread : draining) thread.join();
  if (timers_) timers_->Stop();
  if (schedules_) schedules_->Stop();  // after the drain: the starts it sent have answered
  for (auto& shard : shards_) shard->Stop();
  if (notify_) notify_->Stop();
  if (http_pool_) http_pool_->Stop();  // closes idle connections: nothing calls out any more
  if (own_threads_) own_threads_->Join();
}

Status EngineImpl::Refusal() {
  if (stopping_) return Status::Unavailable("the engine is shutting down");
  return Health();
}

Status EngineImpl::Health() {
  {
    std::lock_guard lock(failure_mutex_);
    if (!storage_failure_.ok()) return storage_failure_;
  }
  return log_.Health();
}

void EngineImpl::OnStorageFailure(const Status& status) {
  if (status.code() == StatusCode::kUnavailable) return OnWritesRefused(status);
  {
    std::lock_guard lock(failure_mutex_);
    if (!storage_failure_.ok()) return;
    storage_failure_ = Status::Unavailable("storage failed (" + status.ToString() +
                                           "); restart to recover from the log");
  }
  if (options_.on_storage_failure) options_.on_storage_failure(status);
}

void EngineImpl::OnWritesRefused(const Status& status) {
  if (writes_refused_.exchange(true)) return;
  options_.logger->Error("storage refuses writes; serving reads, retrying",
                         {{"error", status.message()}});
}

void EngineImpl::OnCommitted() {
  // A load first: the exchange (a write to a shared line) only when there is news.
  if (writes_refused_.load(std::memory_order_relaxed) && writes_refused_.exchange(false)) {
    options_.logger->Info("storage takes writes again");
  }
}

void EngineImpl::Publish(const std::vector<ApprovalNotification>& notifications) {
  if (notifications.empty()) return;
  std::vector<std::shared_ptr<const Listener>> listeners;
  {
    std::lock_guard lock(listeners_mutex_);
    for (const auto& [id, listener] : listeners_) listeners.push_back(listener);
  }
  for (const ApprovalNotification& notification : notifications) {
    pending_.Follow(notification);
    for (const auto& listener : listeners) (*listener)(notification);
  }
}

Result<WorkflowView> EngineImpl::GetWorkflow(const Principal& viewer, std::string_view name) {
  auto definition = registry_.Latest(name);
  if (!definition || !engine::MayView(viewer, definition.get())) {
    return Status::NotFound(WorkflowNotFound(name));
  }
  WorkflowView view = WorkflowRegistry::ToView(*definition);
  view.next_fire_at_ms = schedules_->NextFireTime(name);
  return view;
}

Result<std::vector<WorkflowView>> EngineImpl::ListWorkflowVersions(const Principal& viewer,
                                                                   std::string_view name) {
  auto versions = registry_.Versions(name);
  if (versions.empty() || !engine::MayView(viewer, versions.back().get())) {
    return Status::NotFound(WorkflowNotFound(name));
  }
  std::vector<WorkflowView> views;
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    views.push_back(WorkflowRegistry::ToView(**it));
  }
  return views;
}

void EngineImpl::OpenGate(OpenGateCommand command, Callback<OpenGateResult> done) {
  auto request = ParseAgentGateRequest(command.request);
  if (!request.ok()) return done(request.status());
  if (Status named = CheckApproversNameDirectoryEntries(*request); !named.ok()) {
    return done(named);
  }
  // The checks its approval will meet, made before anything is stored: a gate that could not
  // ask would be opened only to fail.
  Status sized = CheckSize("the gate's message", request->message.size(),
                           options_.max_approval_message_bytes, "max_approval_message_bytes");
  if (sized.ok()) sized = CheckJsonWritable(request->context, "context");
  if (sized.ok()) {
    sized = CheckSize("the gate's context", boost::json::serialize(request->context).size(),
                      options_.max_approval_show_bytes, "max_approval_show_bytes");
  }
  if (!sized.ok()) return done(sized);
  StartRunCommand start;
  start.workflow = kAgentGateWorkflow;
  start.input = ToInput(*request);
  // Each opener's keys are its own: "<length of its id>:<id>:<key>" cannot be another's.
  if (!command.idempotency_key.empty()) {
    const std::string& opener = command.actor.principal.id;
    start.idempotency_key =
        std::to_string(opener.size()) + ":" + opener + ":" + command.idempotency_key;
  }
  start.actor = std::move(command.actor);
  Principal opener = start.actor.principal;
  StartOnShard(std::move(start), [this, opener, done](Result<StartRunResult> started) {
    if (!started.ok()) return done(started.status());
    // RunStarted is seq 1, and the gate's approval is requested in the same commit.
    auto gate = queries_.GetApproval(opener, MakeApprovalId(started->run_id, 2));
    if (!gate.ok()) return done(gate.status());
    done(OpenGateResult{std::move(gate).value(), started->created});
  }, /*access_checked=*/true);  // anyone signed in may open a gate
}

void EngineImpl::AwaitGate(const Principal& viewer, std::string gate_id,
                           std::chrono::milliseconds wait, Callback<ApprovalView> done) {
  auto gate = queries_.GetApproval(viewer, gate_id);
  if (gate.ok() && !gate->IsAgentGate()) gate = Status::NotFound("gate " + gate_id + " not found");
  if (!gate.ok() || gate->status != ApprovalStatus::kPending || wait.count() == 0) {
    return done(std::move(gate));
  }
  // The gate's run finishes with it (approved, rejected, timed out, cancelled). Its workflow's
  // lists admit no one: the viewer's sight of the gate was checked above.
  Principal checked = viewer;
  checked.admin = true;
  std::string run_id = gate->run_id;
  ShardForRun(run_id).AwaitRun(checked, run_id, wait,
                               [this, viewer, gate_id, done](Result<RunView> run) {
                                 if (!run.ok()) return done(run.status());
                                 done(queries_.GetApproval(viewer, gate_id));
                               });
}

Result<StartRunCommand> EngineImpl::HookStart(HookStartCommand command) {
  std::shared_ptr<const WorkflowDefinition> latest = registry_.Latest(command.workflow);
  if (latest == nullptr) return Status::NotFound(WorkflowNotFound(command.workflow));
  auto hook = std::find_if(latest->hooks.begin(), latest->hooks.end(),
                           [&](const InboundHook& h) { return h.id == command.hook_id; });
  if (hook == latest->hooks.end()) {
    return Status::NotFound("workflow '" + command.workflow + "' has no hook '" +
                            command.hook_id + "'");
  }
  if (Status authentic = AuthenticateHook(*hook, command.headers, command.body);
      !authentic.ok()) {
    return authentic;
  }
  Result<std::string> delivery_id = HookDeliveryId(*hook, command.headers);
  if (!delivery_id.ok()) return delivery_id.status();
  StartRunCommand start;
  start.workflow = std::move(command.workflow);
  start.input = std::move(command.input);
  // Its own space of keys: a user's Idempotency-Key may not start with "hook:" (api/commands.h).
  if (!delivery_id->empty()) start.idempotency_key = HookStartKey(hook->id, *delivery_id);
  start.actor.principal.id = HookActorId(start.workflow, hook->id);
  start.actor.principal.service = true;  // a machine: never a reviewer
  start.actor.channel = Channel::kHook;
  start.actor.request_id = std::move(command.request_id);
  return start;
}

Result<WorkflowView> EngineImpl::SetWorkflowDisabled(const Principal& by, std::string_view name,
                                                     bool disabled) {
  auto edit = [&](const WorkflowDefinition* latest) -> Result<boost::json::value> {
    boost::json::value document = latest->source;
    if (disabled) {
      document.as_object()["disabled"] = true;
    } else {
      document.as_object().erase("disabled");
    }
    return document;
  };
  Result<WorkflowView> applied = registry_.Edit(name, edit, [&](const WorkflowDefinition* latest) {
    // Who may not see it learns nothing; an unknown name is not found, even for admins.
    if (latest == nullptr || !engine::MayView(by, latest)) {
      return Status::NotFound(WorkflowNotFound(name));
    }
    return CheckApply(by, latest);
  });
  return Applied(std::move(applied));
}

Result<std::vector<WorkflowView>> EngineImpl::ListWorkflows(const Principal& viewer) {
  std::vector<WorkflowView> views;
  for (const auto& definition : registry_.AllLatest()) {
    if (engine::MayView(viewer, definition.get())) {
      views.push_back(WorkflowRegistry::ToView(*definition));
      views.back().next_fire_at_ms = schedules_->NextFireTime(definition->name);
    }
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

}  // namespace

Result<std::unique_ptr<Engine>> OpenEngine(storage::EventLog& log, EngineOptions options,
                                           EngineHooks hooks) {
  auto engine = std::make_unique<EngineImpl>(log, std::move(options), std::move(hooks));
  if (Status started = engine->Start(); !started.ok()) return started;
  return std::unique_ptr<Engine>(std::move(engine));
}

Result<std::unique_ptr<Engine>> Engine::Open(storage::EventLog& log, EngineOptions options) {
  return OpenEngine(log, std::move(options), EngineHooks{});
}

}  // namespace assent::engine
