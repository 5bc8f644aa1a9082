#include "tests/api/fake_engine.h"

#include <algorithm>
#include <limits>

namespace assent::api::testing {

using engine::ApprovalView;
using engine::RunView;

ApprovalView SampleApproval(std::string id) {
  ApprovalView approval;
  approval.id = std::move(id);
  approval.run_id = "run-1";
  approval.workflow = "invoice";
  approval.step_id = "review";
  approval.status = engine::ApprovalStatus::kPending;
  approval.message = "Pay 100 EUR to ACME?";
  approval.show = {{"amount", 100}, {"payee", "ACME"}};
  approval.decisions.push_back({engine::Decision::kApprove, "alice", "fine", 1'700'000'000'123});
  approval.comments.push_back({"bob", "looks right", 1'700'000'000'456});
  approval.requested_at_ms = 1'700'000'000'000;
  approval.version = 2;
  approval.started_by = "carol";
  return approval;
}

RunView SampleRun(std::string id) {
  RunView run;
  run.run_id = std::move(id);
  run.workflow = "pay";
  run.version = 2;
  run.status = engine::RunStatus::kWaiting;
  run.input = {{"amount", 100}};
  run.steps = {{"lookup", {{"ok", true}}}};
  run.pending_approvals.push_back(SampleApproval());
  run.started_at_ms = 1'700'000'000'000;
  run.updated_at_ms = 1'700'000'001'000;
  return run;
}

FakeEngine::Recorded FakeEngine::recorded() const {
  std::lock_guard lock(mu_);
  return recorded_;
}

void FakeEngine::Publish(const engine::ApprovalNotification& notification) {
  std::map<uint64_t, engine::Listener> listeners;
  {
    std::lock_guard lock(mu_);
    listeners = listeners_;
  }
  for (const auto& [id, listener] : listeners) listener(notification);
}

size_t FakeEngine::subscriber_count() const {
  std::lock_guard lock(mu_);
  return listeners_.size();
}

bool FakeEngine::WaitForDeferred(size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return deferred_changed_.wait_for(lock, timeout, [&] { return deferred_.size() >= count; });
}

void FakeEngine::Answer(std::function<void()> reply) {
  {
    std::lock_guard lock(mu_);
    if (answer_at_shutdown) {
      deferred_.push_back(std::move(reply));
      deferred_changed_.notify_all();
      return;
    }
  }
  reply();
}

Result<engine::WorkflowView> FakeEngine::ApplyWorkflow(const engine::Principal& by,
                                                       std::string_view name,
                                                       const boost::json::value& definition) {
  std::lock_guard lock(mu_);
  recorded_.viewers.push_back(by);
  recorded_.applied.emplace_back(std::string(name), definition);
  return workflow_result;
}

Result<engine::WorkflowView> FakeEngine::GetWorkflow(const engine::Principal& viewer,
                                                     std::string_view name) {
  std::lock_guard lock(mu_);
  recorded_.viewers.push_back(viewer);
  recorded_.run_reads.emplace_back(name);
  return workflow_result;
}

Result<std::vector<engine::WorkflowView>> FakeEngine::ListWorkflows(
    const engine::Principal& viewer) {
  std::lock_guard lock(mu_);
  recorded_.viewers.push_back(viewer);
  return workflows_result;
}

Result<std::vector<engine::WorkflowView>> FakeEngine::ListWorkflowVersions(
    const engine::Principal& viewer, std::string_view name) {
  std::lock_guard lock(mu_);
  recorded_.viewers.push_back(viewer);
  recorded_.run_reads.emplace_back(name);
  return workflows_result;
}

Result<engine::WorkflowView> FakeEngine::SetWorkflowDisabled(const engine::Principal& by,
                                                             std::string_view name, bool) {
  std::lock_guard lock(mu_);
  recorded_.viewers.push_back(by);
  recorded_.run_reads.emplace_back(name);
  return workflow_result;
}

bool FakeEngine::MayView(const engine::Principal&, std::string_view) { return true; }

void FakeEngine::StartRun(engine::StartRunCommand command,
                          engine::Callback<engine::StartRunResult> done) {
  Result<engine::StartRunResult> result = [&] {
    std::lock_guard lock(mu_);
    recorded_.starts.push_back(std::move(command));
    return start_result;
  }();
  Answer([done = std::move(done), result = std::move(result)] { done(result); });
}

void FakeEngine::StartRunFromHook(engine::HookStartCommand command,
                                  engine::Callback<engine::StartRunResult> done) {
  Result<engine::StartRunResult> result = [&] {
    std::lock_guard lock(mu_);
    recorded_.hook_starts.push_back(std::move(command));
    return start_result;
  }();
  Answer([done = std::move(done), result = std::move(result)] { done(result); });
}

void FakeEngine::Decide(engine::DecideCommand command, engine::Callback<ApprovalView> done) {
  Result<ApprovalView> result = [&] {
    std::lock_guard lock(mu_);
    recorded_.decisions.push_back(std::move(command));
    return approval_result;
  }();
  Answer([done = std::move(done), result = std::move(result)] { done(result); });
}

void FakeEngine::AddComment(engine::CommentCommand command, engine::Callback<ApprovalView> done) {
  Result<ApprovalView> result = [&] {
    std::lock_guard lock(mu_);
    recorded_.comments.push_back(std::move(command));
    return approval_result;
  }();
  Answer([done = std::move(done), result = std::move(result)] { done(result); });
}

void FakeEngine::Cancel(engine::CancelCommand command, engine::Callback<RunView> done) {
  RecordRunCommand(recorded_.cancels, std::move(command), std::move(done));
}

void FakeEngine::Retry(engine::RetryCommand command, engine::Callback<RunView> done) {
  RecordRunCommand(recorded_.retries, std::move(command), std::move(done));
}

void FakeEngine::OpenGate(engine::OpenGateCommand command,
                          engine::Callback<engine::OpenGateResult> done) {
  Result<engine::OpenGateResult> result = [&]() -> Result<engine::OpenGateResult> {
    std::lock_guard lock(mu_);
    recorded_.gates_opened.push_back(std::move(command));
    if (!approval_result.ok()) return approval_result.status();
    return engine::OpenGateResult{*approval_result, true};
  }();
  Answer([done = std::move(done), result = std::move(result)] { done(result); });
}

void FakeEngine::AwaitGate(const engine::Principal& viewer, std::string gate_id,
                           std::chrono::milliseconds /*wait*/,
                           engine::Callback<engine::ApprovalView> done) {
  Result<engine::ApprovalView> result = [&] {
    std::lock_guard lock(mu_);
    recorded_.viewers.push_back(viewer);
    recorded_.run_reads.push_back(gate_id);
    return approval_result;
  }();
  Answer([done = std::move(done), result = std::move(result)] { done(result); });
}

template <typename Command>
void FakeEngine::RecordRunCommand(std::vector<Command>& list, Command command,
                                  engine::Callback<RunView> done) {
  Result<RunView> result = [&] {
    std::lock_guard lock(mu_);
    list.push_back(std::move(command));
    return run_result;
  }();
  Answer([done = std::move(done), result = std::move(result)] { done(result); });
}

void FakeEngine::AwaitRun(const engine::Principal& viewer, std::string run_id,
                          std::chrono::milliseconds wait, engine::Callback<RunView> done) {
  Result<RunView> result = [&] {
    std::lock_guard lock(mu_);
    recorded_.viewers.push_back(viewer);
    recorded_.awaits.emplace_back(std::move(run_id), wait);
    return run_result;
  }();
  Answer([done = std::move(done), result = std::move(result)] { done(result); });
}

Result<RunView> FakeEngine::GetRun(const engine::Principal& viewer, std::string_view run_id) {
  std::lock_guard lock(mu_);
  recorded_.viewers.push_back(viewer);
  recorded_.run_reads.emplace_back(run_id);
  return run_result;
}

Result<engine::RunPage> FakeEngine::ListRuns(const engine::Principal& viewer,
                                             const engine::RunQuery& query) {
  std::lock_guard lock(mu_);
  recorded_.viewers.push_back(viewer);
  recorded_.run_lists.push_back(query);
  if (!runs_result.ok()) return runs_result.status();
  return engine::RunPage{*runs_result, next_page};
}

Result<std::vector<engine::EventView>> FakeEngine::GetEvents(const engine::Principal& viewer,
                                                             std::string_view run_id) {
  std::lock_guard lock(mu_);
  recorded_.viewers.push_back(viewer);
  recorded_.run_reads.emplace_back(run_id);
  return events_result;
}

Result<ApprovalView> FakeEngine::GetApproval(const engine::Principal& viewer,
                                             std::string_view approval_id) {
  std::lock_guard lock(mu_);
  recorded_.viewers.push_back(viewer);
  recorded_.run_reads.emplace_back(approval_id);
  return approval_result;
}

Result<engine::ApprovalPage> FakeEngine::ListApprovals(const engine::Principal& viewer,
                                                       const engine::ApprovalQuery& query) {
  std::lock_guard lock(mu_);
  recorded_.viewers.push_back(viewer);
  recorded_.approval_lists.push_back(query);
  if (!approvals_result.ok()) return approvals_result.status();
  return engine::ApprovalPage{*approvals_result, next_page};
}

engine::DecidersView FakeEngine::Deciders(const engine::Principal&,
                                         const engine::ApprovalView&) {
  std::lock_guard lock(mu_);
  return deciders_result;
}

size_t FakeEngine::CountDecidable(const engine::Principal& viewer) {
  std::lock_guard lock(mu_);
  recorded_.viewers.push_back(viewer);
  return decidable_count;
}

Status FakeEngine::ForEachApproval(
    const engine::Principal& viewer, std::optional<engine::ApprovalStatus> status,
    const std::function<bool(const engine::ApprovalView&)>& visit) {
  auto approvals = ListApprovals(
      viewer, engine::ApprovalQuery{.status = status, .limit = std::numeric_limits<size_t>::max()});
  if (!approvals.ok()) return approvals.status();
  for (const ApprovalView& approval : approvals->approvals) {
    if (!visit(approval)) break;
  }
  return Status::Ok();
}

Status FakeEngine::ForEachApprovalNewestFirst(
    engine::ApprovalStatus status, std::string_view before_id,
    const std::function<bool(const engine::ApprovalView&)>& visit) {
  std::vector<ApprovalView> matching;
  {
    std::lock_guard lock(mu_);
    if (!approvals_result.ok()) return approvals_result.status();
    matching = *approvals_result;
  }
  std::erase_if(matching, [&](const ApprovalView& approval) {
    return approval.status != status || (!before_id.empty() && approval.id >= before_id);
  });
  std::sort(matching.begin(), matching.end(),
            [](const ApprovalView& a, const ApprovalView& b) { return a.id > b.id; });
  for (const ApprovalView& approval : matching) {
    if (!visit(approval)) break;
  }
  return Status::Ok();
}

Result<engine::AuditPage> FakeEngine::ListAudit(const engine::AuditQuery& query,
                                                const engine::Principal& viewer) {
  std::lock_guard lock(mu_);
  recorded_.audits.emplace_back(query, viewer);
  return audit_result;
}

uint64_t FakeEngine::Subscribe(engine::Listener listener) {
  std::lock_guard lock(mu_);
  listeners_.emplace(next_subscription_, std::move(listener));
  return next_subscription_++;
}

void FakeEngine::Unsubscribe(uint64_t subscription) {
  std::lock_guard lock(mu_);
  listeners_.erase(subscription);
}

Status FakeEngine::Health() {
  std::lock_guard lock(mu_);
  return health;
}

void FakeEngine::Shutdown() {
  std::vector<std::function<void()>> deferred;
  {
    std::lock_guard lock(mu_);
    recorded_.shut_down = true;
    deferred.swap(deferred_);
  }
  for (const std::function<void()>& reply : deferred) reply();
}

}  // namespace assent::api::testing
