#include "engine/internal/shard.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "engine/internal/access_rules.h"
#include "engine/internal/index_keys.h"
#include "engine/internal/notify_outbox.h"

namespace assent::engine {
namespace {

// A start that repeats an idempotency key must repeat the first start's input: otherwise the
// caller would be told its run exists when the run it describes was never started.
Status SameStart(const StartRunCommand& command, const RunState& first) {
  if (command.input == first.input) return Status::Ok();
  if (command.actor.channel == Channel::kHook) {
    return Status::FailedPrecondition(
        "this delivery id already started run " + first.run_id +
        " with a different body; a redelivery must repeat the body it was signed with");
  }
  if (command.workflow == kAgentGateWorkflow) {
    return Status::FailedPrecondition(
        "this Idempotency-Key already opened gate " + MakeApprovalId(first.run_id, 2) +
        " with a different request; repeat that request to retry it, or use a new key");
  }
  return Status::FailedPrecondition(
      "Idempotency-Key \"" + command.idempotency_key + "\" already started run " +
      first.run_id + " with a different body; repeat that body to retry it, or use a new key");
}

// Run ids one shard makes in one millisecond before it counts the next one as begun.
constexpr size_t kMaxIdsPerMillisecond = 4096;

// How long shutdown waits for accepted commands and commits in flight.
constexpr auto kDrainLimit = std::chrono::seconds(30);

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
      options_(context_.options),
      logger_(*options_.logger),
      loader_(context_.log, logger_),
      lua_(LuaLimits{.max_instructions = options_.lua_max_instructions,
                     .max_memory_bytes = options_.lua_max_memory_bytes,
                     .max_cpu = std::chrono::milliseconds(options_.lua_max_cpu_ms)}),
      mailbox_(context_.io, context_.refusal),
      sequencer_(mailbox_, context_.log, context_.publish,
                 [this](const std::string& run_id) { ReleaseIfIdle(run_id); }),
      // Each shard keeps its share of the budgets, so together they keep to them.
      cache_(loader_, context_.registry,
             std::max<size_t>(1, options_.max_cached_waiting_runs / context_.shard_count),
             options_.max_cached_waiting_bytes / context_.shard_count),
      effects_(mailbox_, options_, context_.http_pool,
               [this](const std::string& run_id, EffectRunner::Decider decider) {
                 Execute(run_id, std::move(decider));
               }),
      waiters_(mailbox_,
               [this](const std::string& run_id, Callback<RunView> done) {
                 AnswerCurrent(run_id, std::move(done));
               }),
      stall_timer_(mailbox_.executor()),
      random_(std::random_device{}()) {}

Shard::~Shard() { Stop(); }

void Shard::Start(std::vector<std::string> run_ids) {
  mailbox_.Post([this, run_ids = std::move(run_ids)] {
    for (const std::string& run_id : run_ids) {
      WithRun(run_id, [this, run_id](Result<LiveRun*> found) {
        if (found.ok()) return effects_.Resume((*found)->state, *(*found)->definition);
        // One unreadable run must not keep every other run from resuming; it stays in the log.
        logger_.Error("run not resumed",
                      {{"run_id", run_id}, {"error", found.status().ToString()}});
      });
    }
  });
}

void Shard::Drain() {
  if (!mailbox_.Drain([this] { return sequencer_.Idle(); }, kDrainLimit)) {
    logger_.Error("shutdown gave up waiting for commits",
                  {{"waited_s", std::chrono::seconds(kDrainLimit).count()}});
  }
}

void Shard::Stop() {
  mailbox_.Stop([this] {
    // Only left after a drain that gave up: commands waiting for a commit are answered.
    stopping_ = true;
    for (CommitSequencer::Job& queued : sequencer_.TakeQueued()) queued();
    waiters_.AnswerAll();
    effects_.StopAll();
    stall_timer_.cancel();
    stalled_.clear();
    cache_.Clear();
  });
  sequencer_.WaitForAppends();
}

void Shard::Dispatch(std::string run_id, RunCommand command) {
  if (Status refused = mailbox_.Accept(); !refused.ok()) return command(refused);
  mailbox_.PostAccepted([this, run_id = std::move(run_id), command]() { WithRun(run_id, command); },
                        command);
}

void Shard::WithRun(const std::string& run_id, RunCommand command) {
  if (stopping_) return command(Status::Unavailable("the engine stopped"));
  if (sequencer_.InFlight(run_id)) {
    return sequencer_.Queue(run_id, [this, run_id, command] { WithRun(run_id, command); });
  }
  auto found = cache_.FindOrLoad(run_id);
  if (!found.ok()) return command(found.status());
  command(*found);
  ReleaseIfIdle(run_id);
}

void Shard::Execute(const std::string& run_id, EffectRunner::Decider decider) {
  WithRun(run_id, [this, run_id, decider = std::move(decider)](Result<LiveRun*> found) {
    if (!found.ok()) return effects_.Forget(run_id);  // nothing left to record an outcome in
    LiveRun& run = **found;
    RunTxn txn(run.state, NowMs());
    decider(txn, ContextFor(run));
    Commit(run, txn, [this, run_id](Status status) {
      if (status.code() == StatusCode::kUnavailable) Stall(run_id);
    });
  });
}

void Shard::FireTimer(std::string run_id, std::string timer_id, int64_t due_at_ms) {
  mailbox_.Post([this, run_id = std::move(run_id), timer_id = std::move(timer_id), due_at_ms] {
    Execute(run_id, [this, timer_id, due_at_ms](RunTxn& txn, const StepContext& context) {
      if (RunOfRetry(timer_id)) {
        StartRetry(txn, context);
        if (txn.empty() && !RetryWaitsOn(txn.state(), due_at_ms)) {
          context_.timers.Disarmed(due_at_ms, timer_id);  // as below
        }
        return;
      }
      std::optional<std::string_view> reminded = ApprovalOfReminder(timer_id);
      const ApprovalView* approval = reminded ? nullptr : txn.state().FindApproval(timer_id);
      if (reminded) {
        RemindApprovers(txn, std::string(*reminded));
      } else if (approval != nullptr) {
        TimeOutApproval(txn, context, timer_id);
      } else {
        WakeUp(txn, context, timer_id);
      }
      // Whether the run still waits on this very timer (an escalation moved the due time).
      const RunState& state = txn.state();
      approval = state.FindApproval(reminded ? *reminded : std::string_view(timer_id));
      bool pending = approval != nullptr && approval->status == ApprovalStatus::kPending;
      bool waiting = reminded   ? pending && approval->remind_at_ms == due_at_ms
                     : approval ? pending && approval->due_at_ms == due_at_ms
                                : WaitsOn(state, timer_id);
      // Ended already (its index entry is gone, or going with a commit in flight): the timer
      // was loaded from a scan that ran before the end was durable. Nothing will disarm it.
      if (txn.empty() && !waiting) context_.timers.Disarmed(due_at_ms, timer_id);
    });
  });
}

void Shard::Stall(const std::string& run_id) {
  stalled_.insert(run_id);
  if (stall_timer_armed_) return;
  stall_timer_armed_ = true;
  stall_timer_.expires_after(options_.storage_retry_interval);
  stall_timer_.async_wait(mailbox_.Guard([this](boost::system::error_code ec) {
    stall_timer_armed_ = false;
    // One run probes the log: if its commit succeeds, the others follow (Commit); if the log
    // still refuses, the run is stalled again and the timer armed anew.
    if (!ec) RetryStalled(false);
  }));
}

void Shard::RetryStalled(bool all) {
  std::vector<std::string> run_ids;
  while (!stalled_.empty() && (all || run_ids.empty())) {
    run_ids.push_back(std::move(stalled_.extract(stalled_.begin()).value()));
  }
  for (const std::string& run_id : run_ids) {
    WithRun(run_id, [this, run_id](Result<LiveRun*> found) {
      // A run something else drives on already (a command's commit reconciled it) needs
      // nothing; one that cannot be read any more is left to the log, as at a restart.
      if (!found.ok() || effects_.Busy(run_id)) return;
      effects_.Resume((*found)->state, *(*found)->definition);
    });
  }
}

void Shard::Commit(LiveRun& run, RunTxn& txn, std::function<void(Status)> done) {
  storage::AppendBatch batch = txn.Finish();
  if (batch.records.empty()) return done(Status::Ok());
  std::string run_id = run.state.run_id;
  bool fails = run.state.status == RunStatus::kFailed && txn.status_before() != RunStatus::kFailed;
  std::vector<std::string> deliveries = RecordDeliveries(run, batch);
  std::vector<storage::IndexOp> timer_ops;
  for (const storage::IndexOp& op : batch.index_ops) {
    if (op.index == storage::Index::kTimers) timer_ops.push_back(op);
  }
  sequencer_.Commit(run_id, std::move(batch), txn.TakeNotifications(),
                    [this, run_id, fails, deliveries = std::move(deliveries),
                     timer_ops = std::move(timer_ops),
                     done = std::move(done)](Status status) mutable {
                      if (status.ok()) {
                        context_.notify.Enqueue(std::move(deliveries));
                        FollowTimers(timer_ops);
                      } else {
                        context_.notify.Release(deliveries.size());
                      }
                      OnDurable(run_id, status);
                      if (status.ok()) context_.on_committed();
                      // The log takes writes again: what it refused meanwhile goes on, once
                      // this commit's own continuations below have run.
                      if (status.ok() && !stalled_.empty()) {
                        mailbox_.Post([this] { RetryStalled(true); });
                      }
                      if (fails && status.ok()) LogFailure(run_id);
                      done(status);
                      if (LiveRun* run = cache_.Find(run_id); run != nullptr && status.ok()) {
                        if (run->state.finished()) waiters_.Finished(run->state);
                        effects_.Reconcile(run->state, *run->definition);
                      }
                    });
}

std::vector<std::string> Shard::RecordDeliveries(const LiveRun& run,
                                                 storage::AppendBatch& batch) {
  std::vector<std::string> ids;
  const OutboxStyle style{options_.public_url, &options_.render_webhook};
  // A notify step posts to the target its pinned version names, as the step runs as written.
  std::vector<OutboxDelivery> deliveries =
      NoticeDeliveriesFor(batch.records, run.state, *run.definition, style, NowMs());
  // The workflow's targets as they are now, not as the version the run is pinned to had them:
  // a changed webhook URL or secret takes effect for runs already waiting too.
  std::shared_ptr<const WorkflowDefinition> latest = context_.registry.Latest(run.state.workflow);
  const WorkflowDefinition& notifying = latest != nullptr ? *latest : *run.definition;
  if (!notifying.notify.empty()) {
    for (OutboxDelivery& delivery :
         DeliveriesFor(batch.records, run.state, notifying, style, NowMs())) {
      deliveries.push_back(std::move(delivery));
    }
  }
  if (deliveries.empty()) return ids;
  if (!context_.notify.Reserve(deliveries.size())) {
    // The event commits all the same: people are not told, and the log says so.
    for (const OutboxDelivery& delivery : deliveries) {
      logger_.Error("webhook delivery dropped: the notify outbox is full",
                    {{"delivery_id", delivery.id},
                     {"notify_max_pending", options_.notify_max_pending}});
    }
    return ids;
  }
  for (OutboxDelivery& delivery : deliveries) {
    ids.push_back(delivery.id);
    batch.index_ops.push_back(
        {storage::Index::kNotifyOutbox, delivery.id, EncodeDelivery(delivery)});
  }
  return ids;
}

void Shard::FollowTimers(const std::vector<storage::IndexOp>& timer_ops) {
  for (const storage::IndexOp& op : timer_ops) {
    auto key = DecodeTimerKey(op.key);
    if (!key) continue;  // the engine writes none such
    std::string timer_id(key->timer_id);
    if (op.value) {
      context_.timers.Armed(key->due_at_ms, timer_id, *op.value);
    } else {
      context_.timers.Disarmed(key->due_at_ms, timer_id);
    }
  }
}

void Shard::LogFailure(const std::string& run_id) {
  if (const LiveRun* run = cache_.Find(run_id)) {
    logger_.Warn("run failed", {{"run_id", run_id},
                                {"workflow", run->state.workflow},
                                {"error", run->state.error}});
  }
}

void Shard::OnDurable(const std::string& run_id, const Status& status) {
  LiveRun* run = cache_.Find(run_id);
  if (run == nullptr) return;  // only after Stop released the runs
  if (status.ok()) {
    if (context_.hooks.observer != nullptr) context_.hooks.observer->OnDurable(run->state);
    return;
  }
  // Memory ran ahead of the log: make it the durable state again, or drop it. A refusal for
  // now (a full disk) is logged once by the engine, not once per commit.
  if (status.code() != StatusCode::kUnavailable) {
    logger_.Error("commit failed", {{"run_id", run_id}, {"error", status.ToString()}});
  }
  context_.on_storage_failure(status);
  auto durable = loader_.Load(run_id);
  if (durable.ok()) {
    run->state = std::move(durable).value();
  } else {
    cache_.Forget(run_id);
  }
}

void Shard::ReleaseIfIdle(const std::string& run_id) {
  if (!sequencer_.Busy(run_id) && !effects_.Busy(run_id)) cache_.Release(run_id);
}

std::string Shard::NewRunId() {
  // Time first, so ids sort (and index scans list runs) roughly in start order, then random
  // bits, drawn again until the id lands on this shard (shard_count tries on average) and is
  // not one this shard already made in the same millisecond. A burst of starts makes dozens of
  // ids in one millisecond; were two equal, the second start would take over the first run's
  // id, its events and its index entries. The millisecond never goes back here and ids of
  // different shards never meet (an id hashes to one shard), so no two runs of this engine get
  // one id; 64 random bits keep ids made by different engines apart.
  for (;;) {
    int64_t ms = std::max(NowMs(), id_ms_);
    // A clock that stepped back leaves id_ms_ ahead for a while: move on to the next
    // millisecond rather than remember ever more tails.
    if (tails_this_ms_.size() >= kMaxIdsPerMillisecond) ms = id_ms_ + 1;
    if (ms != id_ms_) {
      id_ms_ = ms;
      tails_this_ms_.clear();
    }
    uint64_t tail = context_.hooks.run_id_random ? context_.hooks.run_id_random() : random_();
    char tail_digits[24];
    std::snprintf(tail_digits, sizeof(tail_digits), "%016llx",
                  static_cast<unsigned long long>(tail));
    std::string id = RunIdTimePrefix(ms) + tail_digits;
    if (ShardOf(id, context_.shard_count) == index_ && tails_this_ms_.insert(tail).second) {
      return id;
    }
  }
}

void Shard::StartRun(StartRunCommand command, Callback<StartRunResult> done,
                     bool access_checked) {
  if (Status refused = mailbox_.Accept(); !refused.ok()) return done(refused);
  mailbox_.PostAccepted(
      [this, command = std::move(command), done, access_checked]() {
        DoStartRun(command, done, access_checked);
      },
      done);
}

void Shard::DoStartRun(const StartRunCommand& command, const Callback<StartRunResult>& done,
                       bool access_checked) {
  auto definition = context_.registry.Latest(command.workflow);
  if (!definition) return done(Status::NotFound(WorkflowNotFound(command.workflow)));
  if (!access_checked) {
    if (Status allowed = CheckStart(command.actor.principal, definition.get(), command.workflow);
        !allowed.ok()) {
      return done(allowed);
    }
  }

  std::string start_key;
  if (!command.idempotency_key.empty()) {
    start_key = StartKey(command.workflow, command.idempotency_key);
    if (auto it = starting_keys_.find(start_key); it != starting_keys_.end()) {
      // The first start with this key is still committing, here: answer once it is durable.
      std::string run_id = it->second;
      return WithRun(run_id, [this, command, done](Result<LiveRun*> run) {
        if (run.status().code() == StatusCode::kNotFound) {
          return done(Status::Unavailable("the first start with this key failed; retry"));
        }
        if (!run.ok()) return done(run.status());
        if (Status same = SameStart(command, (*run)->state); !same.ok()) return done(same);
        AnswerStart(**run, false, command.wait, done);
      });
    }
    // A durable run: answered without its state, which may live on another shard (run ids map
    // to shards only for the shard count they were made with). The engine waits on its owner.
    std::string existing;
    Status found = context_.log.GetIndex(storage::Index::kStartKeys, start_key, &existing);
    if (found.ok()) {
      Result<RunState> first = loader_.Load(existing);  // a read of the log: any shard may
      if (!first.ok()) return done(first.status());
      if (Status same = SameStart(command, *first); !same.ok()) return done(same);
      return done(StartRunResult{existing, false});
    }
    if (found.code() != StatusCode::kNotFound) return done(found);
  }

  // After the key lookups: a repeated start of a run begun before the disable still answers.
  if (definition->disabled) {
    return done(Status::FailedPrecondition(
        "workflow '" + command.workflow + "' is disabled (version " +
        std::to_string(definition->version) +
        "): it starts no new runs while its running runs finish; enable it to start runs"));
  }
  std::string run_id = NewRunId();
  LiveRun& run = cache_.Insert(run_id, definition);
  RunTxn txn = RunTxn::NewRun(run_id, run.state, NowMs());
  assent::engine::StartRun(txn, ContextFor(run), command);
  if (!start_key.empty()) starting_keys_.emplace(start_key, run_id);
  Commit(run, txn, [this, run_id, start_key, wait = command.wait, done](Status status) {
    if (!start_key.empty()) starting_keys_.erase(start_key);
    if (!status.ok()) return done(status);
    LiveRun* started = cache_.Find(run_id);
    if (started == nullptr) return done(StartRunResult{run_id, true});  // only after Stop
    AnswerStart(*started, true, wait, done);
  });
  ReleaseIfIdle(run_id);
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

void Shard::AwaitRun(const Principal& viewer, std::string run_id, std::chrono::milliseconds wait,
                     Callback<RunView> done) {
  Dispatch(std::move(run_id), [this, viewer, wait, done](Result<LiveRun*> found) {
    if (!found.ok()) return done(found.status());
    const RunState& state = (*found)->state;
    if (!MayView(viewer, context_.registry.Latest(state.workflow).get())) {
      return done(Status::NotFound(RunNotFound(state.run_id)));
    }
    AwaitLoaded(**found, wait, done);
  });
}

void Shard::AwaitLoaded(LiveRun& run, std::chrono::milliseconds wait, Callback<RunView> done) {
  if (run.state.finished() || wait.count() == 0) return done(ToView(run.state));
  waiters_.Add(run.state.run_id, wait, std::move(done));
}

void Shard::AnswerCurrent(const std::string& run_id, Callback<RunView> done) {
  LiveRun* run = cache_.Find(run_id);
  if (run != nullptr && !sequencer_.InFlight(run_id)) return done(ToView(run->state));
  Result<RunState> durable = loader_.Load(run_id);
  durable.ok() ? done(ToView(std::move(durable).value())) : done(durable.status());
}

void Shard::Decide(DecideCommand command, Callback<ApprovalView> done) {
  std::string approval_id = command.approval_id;
  Principal principal = command.actor.principal;
  OnApproval(
      approval_id, std::move(done),
      [principal](const WorkflowDefinition* latest, const LiveRun& run,
                  const ApprovalView& approval) {
        return CheckDecide(principal, latest, run.definition.get(), run.state.started_by,
                           approval);
      },
      [command = std::move(command)](RunTxn& txn, const StepContext& context) {
        return assent::engine::Decide(txn, context, command);
      });
}

void Shard::AddComment(CommentCommand command, Callback<ApprovalView> done) {
  std::string approval_id = command.approval_id;
  Principal principal = command.actor.principal;
  OnApproval(
      approval_id, std::move(done),
      [principal](const WorkflowDefinition* latest, const LiveRun& run,
                  const ApprovalView& approval) {
        return CheckComment(principal, latest, run.definition.get(), approval);
      },
      [command = std::move(command)](RunTxn& txn, const StepContext& context) {
        return assent::engine::AddComment(txn, context, command);
      });
}

void Shard::OnApproval(const std::string& approval_id, Callback<ApprovalView> done,
                       ApprovalAccess access, ApprovalDecider decider) {
  std::string run_id(RunIdOfApproval(approval_id));
  Status not_found = Status::NotFound(ApprovalNotFound(approval_id));
  if (run_id.empty()) return done(not_found);
  Dispatch(run_id, [this, approval_id, not_found, done, access, decider](Result<LiveRun*> found) {
    if (!found.ok()) {
      return done(found.status().code() == StatusCode::kNotFound ? not_found : found.status());
    }
    LiveRun& run = **found;
    const ApprovalView* current = run.state.FindApproval(approval_id);
    if (current == nullptr) return done(not_found);
    if (Status allowed = access(context_.registry.Latest(run.state.workflow).get(), run, *current);
        !allowed.ok()) {
      return done(allowed);
    }
    RunTxn txn(run.state, NowMs());
    auto approval = decider(txn, ContextFor(run));
    if (!approval.ok()) return done(approval.status());
    Commit(run, txn, [done, view = *approval](Status status) {
      status.ok() ? done(view) : done(status);
    });
  });
}

void Shard::Cancel(CancelCommand command, Callback<RunView> done) {
  std::string run_id = command.run_id;
  Principal principal = command.actor.principal;
  OnRun(
      run_id, std::move(done),
      [principal, run_id](const WorkflowDefinition* latest) {
        return CheckCancel(principal, latest, run_id);
      },
      [command = std::move(command)](RunTxn& txn, const StepContext&) {
        return assent::engine::Cancel(txn, command);
      });
}

void Shard::Retry(RetryCommand command, Callback<RunView> done) {
  std::string run_id = command.run_id;
  Principal principal = command.actor.principal;
  OnRun(
      run_id, std::move(done),
      [principal, run_id](const WorkflowDefinition* latest) {
        return CheckRetry(principal, latest, run_id);
      },
      [command = std::move(command)](RunTxn& txn, const StepContext& context) {
        return RetryRun(txn, context, command);
      });
}

void Shard::OnRun(const std::string& run_id, Callback<RunView> done, RunAccess access,
                  RunDecider decider) {
  Dispatch(run_id, [this, done, access, decider](Result<LiveRun*> found) {
    if (!found.ok()) return done(found.status());
    LiveRun& run = **found;
    if (Status allowed = access(context_.registry.Latest(run.state.workflow).get());
        !allowed.ok()) {
      return done(allowed);
    }
    RunTxn txn(run.state, NowMs());
    if (Status decided = decider(txn, ContextFor(run)); !decided.ok()) return done(decided);
    Commit(run, txn, [done, view = ToView(run.state)](Status status) {
      status.ok() ? done(view) : done(status);
    });
  });
}

}  // namespace assent::engine
