// FakeEngine: an engine::Engine for api tests. It records every command, answers with canned
// results the test sets beforehand, and lets the test publish approval notifications as the
// engine's commit thread would. Command callbacks run synchronously on the caller's thread, or,
// with answer_at_shutdown, inside Shutdown (as a draining engine answers what it accepted).
// Thread-safe: io threads call it while the test thread inspects it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "engine/engine.h"

namespace assent::api::testing {

// An approval with every field set, for shape checks.
engine::ApprovalView SampleApproval(std::string id = "ap-1");
// A waiting run with one pending approval.
engine::RunView SampleRun(std::string id = "run-1");

class FakeEngine : public engine::Engine {
 public:
  // Canned answers. Set them before the call that uses them.
  Result<engine::WorkflowView> workflow_result = engine::WorkflowView{"pay", 1, {}};
  Result<std::vector<engine::WorkflowView>> workflows_result =
      std::vector<engine::WorkflowView>{};
  Result<engine::StartRunResult> start_result = engine::StartRunResult{"run-1", true};
  Result<engine::ApprovalView> approval_result = SampleApproval();
  Result<engine::RunView> run_result = SampleRun();
  Result<std::vector<engine::RunView>> runs_result = std::vector<engine::RunView>{};
  std::string next_page;  // the engine's `next` for ListRuns and ListApprovals; empty: none
  Result<std::vector<engine::EventView>> events_result = std::vector<engine::EventView>{};
  Result<std::vector<engine::ApprovalView>> approvals_result =
      std::vector<engine::ApprovalView>{};
  Result<engine::AuditPage> audit_result = engine::AuditPage{};
  // What Deciders and CountDecidable answer, whoever asks.
  engine::DecidersView deciders_result = {{"group:finance"}, true};
  size_t decidable_count = 0;
  Status health = Status::Ok();
  // What LastCursor answers.
  std::atomic<uint64_t> last_cursor = 0;
  // Commands are answered when Shutdown runs rather than at once.
  bool answer_at_shutdown = false;

  // What was asked, in order.
  struct Recorded {
    std::vector<std::pair<std::string, boost::json::value>> applied;
    std::vector<engine::StartRunCommand> starts;
    std::vector<engine::HookStartCommand> hook_starts;
    std::vector<engine::DecideCommand> decisions;
    std::vector<engine::CommentCommand> comments;
    std::vector<engine::CancelCommand> cancels;
    std::vector<engine::RetryCommand> retries;
    std::vector<engine::OpenGateCommand> gates_opened;
    std::vector<engine::RunQuery> run_lists;
    std::vector<engine::ApprovalQuery> approval_lists;
    // Who asked, for every query and ApplyWorkflow, in order.
    std::vector<engine::Principal> viewers;
    std::vector<std::string> run_reads;  // GetRun, GetEvents, GetApproval ids
    std::vector<std::pair<std::string, std::chrono::milliseconds>> awaits;  // AwaitRun
    std::vector<std::pair<engine::AuditQuery, engine::Principal>> audits;   // ListAudit
    bool shut_down = false;
  };
  Recorded recorded() const;

  // Calls every subscribed listener, as the engine thread would.
  void Publish(const engine::ApprovalNotification& notification);
  size_t subscriber_count() const;
  // Waits until `count` commands wait for Shutdown, or `timeout` passes; true if they do.
  bool WaitForDeferred(size_t count, std::chrono::milliseconds timeout);

  Result<engine::WorkflowView> ApplyWorkflow(const engine::Principal& by, std::string_view name,
                                             const boost::json::value& definition) override;
  Result<engine::WorkflowView> GetWorkflow(const engine::Principal& viewer,
                                           std::string_view name) override;
  Result<std::vector<engine::WorkflowView>> ListWorkflows(
      const engine::Principal& viewer) override;
  // Answer with workflows_result and workflow_result.
  Result<std::vector<engine::WorkflowView>> ListWorkflowVersions(const engine::Principal& viewer,
                                                                 std::string_view name) override;
  Result<engine::WorkflowView> SetWorkflowDisabled(const engine::Principal& by,
                                                   std::string_view name, bool disabled) override;
  bool MayView(const engine::Principal& viewer, std::string_view workflow) override;
  bool MayViewApproval(const engine::Principal&, const engine::ApprovalView&) override {
    return true;
  }
  void StartRun(engine::StartRunCommand command,
                engine::Callback<engine::StartRunResult> done) override;
  // Answers start_result, as StartRun does.
  void StartRunFromHook(engine::HookStartCommand command,
                        engine::Callback<engine::StartRunResult> done) override;
  void Decide(engine::DecideCommand command, engine::Callback<engine::ApprovalView> done) override;
  void AddComment(engine::CommentCommand command,
                  engine::Callback<engine::ApprovalView> done) override;
  void Cancel(engine::CancelCommand command, engine::Callback<engine::RunView> done) override;
  void Retry(engine::RetryCommand command, engine::Callback<engine::RunView> done) override;
  // Both answer approval_result, as the gate.
  void OpenGate(engine::OpenGateCommand command,
                engine::Callback<engine::OpenGateResult> done) override;
  void AwaitGate(const engine::Principal& viewer, std::string gate_id,
                 std::chrono::milliseconds wait,
                 engine::Callback<engine::ApprovalView> done) override;
  // Answers with run_result.
  void AwaitRun(const engine::Principal& viewer, std::string run_id,
                std::chrono::milliseconds wait, engine::Callback<engine::RunView> done) override;
  Result<engine::RunView> GetRun(const engine::Principal& viewer,
                                 std::string_view run_id) override;
  // Answers runs_result and next_page.
  Result<engine::RunPage> ListRuns(const engine::Principal& viewer,
                                   const engine::RunQuery& query) override;
  Result<std::vector<engine::EventView>> GetEvents(const engine::Principal& viewer,
                                                   std::string_view run_id) override;
  Result<engine::ApprovalView> GetApproval(const engine::Principal& viewer,
                                           std::string_view approval_id) override;
  // Answers approvals_result and next_page.
  Result<engine::ApprovalPage> ListApprovals(const engine::Principal& viewer,
                                             const engine::ApprovalQuery& query) override;
  // Visits approvals_result; recorded in approval_lists as a list with no limit.
  Status ForEachApproval(const engine::Principal& viewer,
                         std::optional<engine::ApprovalStatus> status,
                         const std::function<bool(const engine::ApprovalView&)>& visit) override;
  // Visits approvals_result's approvals in `status` with ids below `before_id`, ids descending.
  Status ForEachApprovalNewestFirst(
      engine::ApprovalStatus status, std::string_view before_id,
      const std::function<bool(const engine::ApprovalView&)>& visit) override;
  // Answers with audit_result.
  Result<engine::AuditPage> ListAudit(const engine::AuditQuery& query,
                                      const engine::Principal& viewer) override;
  uint64_t Subscribe(engine::Listener listener) override;
  void Unsubscribe(uint64_t subscription) override;
  engine::DecidersView Deciders(const engine::Principal& viewer,
                               const engine::ApprovalView& approval) override;
  size_t CountDecidable(const engine::Principal& viewer) override;
  uint64_t LastCursor() override { return last_cursor.load(); }
  Status Health() override;
  void Shutdown() override;

 private:
  // Runs `reply` now, or keeps it for Shutdown when answer_at_shutdown is set.
  void Answer(std::function<void()> reply);
  // Records a command on a run in `list` and answers it with run_result.
  template <typename Command>
  void RecordRunCommand(std::vector<Command>& list, Command command,
                        engine::Callback<engine::RunView> done);

  mutable std::mutex mu_;
  std::condition_variable deferred_changed_;
  std::vector<std::function<void()>> deferred_;  // guarded by mu_
  Recorded recorded_;
  std::map<uint64_t, engine::Listener> listeners_;
  uint64_t next_subscription_ = 1;
};

}  // namespace assent::api::testing
