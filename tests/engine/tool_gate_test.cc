// Tool-level gates: `require_approval` on an http or code step pauses before each call, shows the
// call as it will be made (credentials masked), and makes it only as approved, with the body's
// edits; a rejection fails the run or follows on_reject; `approve_retries` asks again before a
// retry. Every run passes the replay-equality check at the end of its test.
#include <algorithm>

#include <gmock/gmock.h>

#include "engine/internal/tool_gate.h"
#include "tests/engine/clocked_engine_fixture.h"
#include "tests/support/http_target.h"

namespace assent::engine::engine_testing {
namespace {

using testing::HttpTarget;
using testing::ReceivedRequest;
using testing::TargetResponse;

constexpr int64_t kSecond = 1'000;

HttpTarget::Responder Answer(unsigned status, std::string body) {
  return [=](const ReceivedRequest&, size_t) { return TargetResponse{status, body}; };
}

class ToolGateTest : public ClockedEngineTest {
 protected:
  // Workflow "purge": an http step `delete` (DELETE `target`/records?api_key=..., with a bearer
  // token and the run's `count` in its body) with `gate` (the step's fields after "url"), then
  // `done`; and `explain`, the step a rejection goes to when `gate` names it.
  void ApplyPurge(const HttpTarget& target, const std::string& gate) {
    std::string explain = gate.find(R"("on_reject": "explain")") == std::string::npos ? "" : R"(,
      {"id": "explain", "type": "code",
       "lua": "return {why = steps.delete.comment, by = steps.delete.reviewer}"})";
    ApplyWorkflow("purge", R"({"editors": ["alice", "bob"], "steps": [
      {"id": "delete", "type": "http", "method": "DELETE",
       "url": ")" + target.url("/records?api_key=k-123&dry=no") + R"(",
       "headers": {"Authorization": "Bearer {{input.token}}", "X-Reason": "cleanup"},
       "body": {"count": "{{input.count}}", "table": "customers"})" + gate + R"(},
      {"id": "done", "type": "code", "lua": "return {deleted = steps.delete.deleted}",
       "next": "end"})" + explain + "]}");
  }

  std::string StartPurge(int count) {
    return Start("purge", R"({"token": "s3cr3t", "count": )" + std::to_string(count) + "}");
  }

  bool Finished(const std::string& run_id) {
    RunStatus status = Run(run_id).status;
    return status == RunStatus::kCompleted || status == RunStatus::kFailed;
  }

  Result<ApprovalView> Approve(const std::string& approval_id, const std::string& edits = "{}") {
    return Await<ApprovalView>([&](auto done) {
      engine_->Decide(DecideCommand{approval_id, Decision::kApprove, ActorNamed("alice"), "ok",
                                    json::parse(edits).as_object()},
                      done);
    });
  }

  Result<RunView> RetryAs(const std::string& run_id) {
    return Await<RunView>([&](auto done) {
      engine_->Retry(RetryCommand{run_id, ActorNamed("alice")}, done);
    });
  }

  // The run's events of `type`, as the API lists them.
  std::vector<EventView> EventsOf(const std::string& run_id, const std::string& type) {
    auto events = engine_->GetEvents(kAdmin, run_id);
    EXPECT_TRUE(events.ok());
    std::vector<EventView> found;
    if (!events.ok()) return found;
    std::copy_if(events->begin(), events->end(), std::back_inserter(found),
                 [&](const EventView& event) { return event.type == type; });
    return found;
  }
};

TEST_F(ToolGateTest, TheCallWaitsForApprovalAndTheApprovalShowsItWithSecretsMasked) {
  HttpTarget target(Answer(200, R"({"deleted": 42})"));
  ApplyPurge(target, R"(, "require_approval": true)");
  std::string run_id = StartPurge(42);
  std::string approval_id = PendingApproval(run_id);
  ApprovalView approval = Run(run_id).pending_approvals.front();
  EXPECT_EQ(approval.step_id, "delete");
  EXPECT_THAT(approval.message, ::testing::StartsWith("Run DELETE http://127.0.0.1:"));
  EXPECT_EQ(approval.show.at("method"), "DELETE");
  EXPECT_EQ(approval.show.at("url").as_string(), target.url("/records?api_key=***&dry=no"));
  const json::object& headers = approval.show.at("headers").as_object();
  EXPECT_EQ(headers.at("Authorization"), "***");
  EXPECT_EQ(headers.at("X-Reason"), "cleanup");
  EXPECT_FALSE(headers.contains("Idempotency-Key")) << "the call's own, made with the call";
  EXPECT_EQ(approval.show.at("body"), json::parse(R"({"count": 42, "table": "customers"})"));
  EXPECT_TRUE(target.requests().empty()) << "the call waits for its approval";

  ASSERT_TRUE(Approve(approval_id).ok());
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); }));
  RunView run = Run(run_id);
  ASSERT_EQ(run.status, RunStatus::kCompleted) << run.error;
  EXPECT_EQ(run.output->at("deleted"), 42);
  ASSERT_EQ(target.requests().size(), 1u);
  const ReceivedRequest sent = target.requests().front();
  EXPECT_EQ(sent.method, "DELETE");
  EXPECT_EQ(sent.target, "/records?api_key=k-123&dry=no");
  EXPECT_EQ(sent.headers.at("authorization"), "Bearer s3cr3t") << "masked only where shown";
  EXPECT_EQ(json::parse(sent.body), json::parse(R"({"count": 42, "table": "customers"})"));
  std::vector<EventView> started = EventsOf(run_id, "step.started");
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].fields.at("gate_approval_id").as_string(), approval_id);
}

TEST_F(ToolGateTest, TheCallSendsTheBodyAsEditedByItsApprover) {
  HttpTarget target(Answer(200, R"({"deleted": 7})"));
  ApplyPurge(target, R"(, "require_approval": {"edits": ["body"], "message": "Purge {{input.count}}?"})");
  std::string run_id = StartPurge(500);
  std::string approval_id = PendingApproval(run_id);
  EXPECT_EQ(Run(run_id).pending_approvals.front().message, "Purge 500?");
  auto refused = Approve(approval_id, R"({"url": "http://elsewhere/"})");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  auto approved = Approve(approval_id, R"({"body": {"count": 7, "table": "customers"}})");
  ASSERT_TRUE(approved.ok()) << approved.status().ToString();
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); }));
  EXPECT_EQ(Run(run_id).status, RunStatus::kCompleted);
  ASSERT_EQ(target.requests().size(), 1u);
  EXPECT_EQ(json::parse(target.requests().front().body),
            json::parse(R"({"count": 7, "table": "customers"})"));
  std::vector<EventView> decided = EventsOf(run_id, "approval.decided");
  ASSERT_EQ(decided.size(), 1u);
  EXPECT_TRUE(decided[0].fields.contains("edit_diff")) << "the event keeps the diff";
}

TEST_F(ToolGateTest, ARejectionFailsTheRunWithoutCalling) {
  HttpTarget target(Answer(200, "{}"));
  ApplyPurge(target, R"(, "require_approval": true)");
  std::string run_id = StartPurge(42);
  ASSERT_TRUE(DecideOn(PendingApproval(run_id), Decision::kReject, "wrong table").ok());
  RunView run = Run(run_id);
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_EQ(run.error, "rejected by alice: wrong table");
  EXPECT_TRUE(target.requests().empty());
}

TEST_F(ToolGateTest, ARejectionFollowsOnRejectWithTheFeedback) {
  HttpTarget target(Answer(200, "{}"));
  ApplyPurge(target, R"(, "require_approval": true, "on_reject": "explain")");
  std::string run_id = StartPurge(42);
  ASSERT_TRUE(DecideOn(PendingApproval(run_id), Decision::kReject, "keep the customers").ok());
  RunView run = Run(run_id);
  ASSERT_EQ(run.status, RunStatus::kCompleted) << run.error;
  EXPECT_EQ(run.output->at("why"), "keep the customers");
  EXPECT_EQ(run.output->at("by"), "alice");
  EXPECT_TRUE(target.requests().empty());
}

TEST_F(ToolGateTest, AConditionOnTheRequestAsksOnlyWhenItHolds) {
  HttpTarget target(Answer(200, R"({"deleted": 1})"));
  ApplyPurge(target, R"(, "require_approval": "count > 100 and request.method == 'DELETE'")");
  std::string few = StartPurge(5);
  ASSERT_TRUE(Eventually([&] { return Finished(few); }));
  EXPECT_EQ(Run(few).status, RunStatus::kCompleted);
  EXPECT_TRUE(EventsOf(few, "approval.requested").empty()) << "5 is under the condition's 100";

  std::string many = StartPurge(500);
  EXPECT_EQ(Run(many).status, RunStatus::kWaiting);
  EXPECT_EQ(target.requests().size(), 1u);
  ASSERT_TRUE(Approve(PendingApproval(many)).ok());
  ASSERT_TRUE(Eventually([&] { return Finished(many); }));
  EXPECT_EQ(target.requests().size(), 2u);
}

TEST_F(ToolGateTest, AConditionThatFailsFailsTheRunNamingTheField) {
  HttpTarget target(Answer(200, "{}"));
  ApplyPurge(target, R"(, "require_approval": {"when": "request.body.count.nested > 1"})");
  std::string run_id = StartPurge(5);
  RunView run = Run(run_id);
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_THAT(run.error, ::testing::HasSubstr("step 'delete' failed: 'require_approval': "));
  EXPECT_TRUE(target.requests().empty());
}

TEST_F(ToolGateTest, AGateThatCouldNotAskRecordsNoAttemptAndARetriedRunAsksAgain) {
  HttpTarget target(Answer(200, "{}"));
  ApplyPurge(target, R"(, "require_approval": {"when": "request.body.count.nested > 1"})");
  std::string run_id = StartPurge(5);
  EXPECT_TRUE(EventsOf(run_id, "step.failed").empty()) << "nothing was called";
  auto retried = RetryAs(run_id);
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  RunView run = Run(run_id);
  EXPECT_EQ(run.status, RunStatus::kFailed) << "the gate asked again, and failed again";
  EXPECT_THAT(run.error, ::testing::HasSubstr("'require_approval': "));
  EXPECT_TRUE(EventsOf(run_id, "step.started").empty());
  EXPECT_TRUE(target.requests().empty());
}

TEST_F(ToolGateTest, ARetriedRunCallsAgainUnderTheApprovalItHad) {
  HttpTarget target([](const ReceivedRequest&, size_t index) {
    return index == 0 ? TargetResponse{404, "{}"} : TargetResponse{200, "{}"};
  });
  ApplyPurge(target, R"(, "require_approval": {"edits": true})");
  std::string run_id = StartPurge(3);
  ASSERT_TRUE(Approve(PendingApproval(run_id), R"({"body": {"count": 1}})").ok());
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); }));
  ASSERT_EQ(Run(run_id).status, RunStatus::kFailed) << "a 404 is not retried";
  ASSERT_TRUE(RetryAs(run_id).ok());
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); }));
  EXPECT_EQ(Run(run_id).status, RunStatus::kCompleted);
  EXPECT_EQ(EventsOf(run_id, "approval.requested").size(), 1u);
  ASSERT_EQ(target.requests().size(), 2u);
  EXPECT_EQ(json::parse(target.requests()[1].body), json::parse(R"({"count": 1})"));
}

TEST_F(ToolGateTest, ARequestThatCannotBeSentIsNotShownForApprovalAndFailsUnsent) {
  HttpTarget target(Answer(200, "{}"));
  ApplyPurge(target, R"(, "require_approval": true)");
  std::string run_id = Start("purge", R"({"token": "a\r\nInjected: 1", "count": 1})");
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); }));
  RunView run = Run(run_id);
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_THAT(run.error, ::testing::HasSubstr("header 'Authorization'"));
  EXPECT_TRUE(EventsOf(run_id, "approval.requested").empty());
  EXPECT_TRUE(target.requests().empty());
}

TEST_F(ToolGateTest, ACodeStepsGateShowsItsLuaAndRunsItOnceApproved) {
  ApplyWorkflow("score", R"({"steps": [
    {"id": "score", "type": "code", "lua": "return {score = input.n * 2}",
     "require_approval": {"approvers": ["alice"], "message": "Score {{input.n}}?"}}]})");
  std::string run_id = Start("score", R"({"n": 21})");
  ApprovalView approval = Run(run_id).pending_approvals.front();
  EXPECT_EQ(approval.show, json::parse(R"({"code": "return {score = input.n * 2}"})"));
  EXPECT_EQ(approval.message, "Score 21?");
  ASSERT_TRUE(Approve(approval.id).ok());
  RunView run = Run(run_id);
  ASSERT_EQ(run.status, RunStatus::kCompleted) << run.error;
  EXPECT_EQ(run.output->at("score"), 42);
}

TEST_F(ToolGateTest, ApproveRetriesAsksAgainBeforeEachNewAttempt) {
  HttpTarget target([](const ReceivedRequest&, size_t index) {
    return index == 0 ? TargetResponse{503, "{}"} : TargetResponse{200, R"({"deleted": 3})"};
  });
  ApplyPurge(target, R"(, "require_approval": {"edits": true}, "approve_retries": true,
                        "retry": {"backoff": "1s", "jitter": false})");
  std::string run_id = StartPurge(3);
  ASSERT_TRUE(Approve(PendingApproval(run_id), R"({"body": {"count": 2}})").ok());
  ASSERT_TRUE(Eventually([&] { return !EventsOf(run_id, "step.failed").empty(); }));
  now_ += kSecond;  // the retry's time: it asks again instead of calling
  ASSERT_TRUE(Eventually([&] { return Run(run_id).pending_approvals.size() == 1; }))
      << "the retry never asked again";
  EXPECT_EQ(target.requests().size(), 1u);
  ApprovalView again = Run(run_id).pending_approvals.front();
  EXPECT_EQ(again.show.at("body"), json::parse(R"({"count": 2})")) << "what the last approved";
  ASSERT_TRUE(Approve(again.id).ok());
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); }));
  EXPECT_EQ(Run(run_id).status, RunStatus::kCompleted);
  ASSERT_EQ(target.requests().size(), 2u);
  EXPECT_EQ(json::parse(target.requests()[1].body), json::parse(R"({"count": 2})"));
  EXPECT_EQ(EventsOf(run_id, "approval.requested").size(), 2u);
}

TEST_F(ToolGateTest, WithoutApproveRetriesARetryKeepsTheApprovalItHad) {
  HttpTarget target([](const ReceivedRequest&, size_t index) {
    return index == 0 ? TargetResponse{503, "{}"} : TargetResponse{200, "{}"};
  });
  ApplyPurge(target, R"(, "require_approval": {"edits": true},
                        "retry": {"backoff": "1s", "jitter": false})");
  std::string run_id = StartPurge(3);
  ASSERT_TRUE(Approve(PendingApproval(run_id), R"({"body": {"count": 1}})").ok());
  ASSERT_TRUE(Eventually([&] { return !EventsOf(run_id, "step.failed").empty(); }));
  now_ += kSecond;
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); }));
  EXPECT_EQ(EventsOf(run_id, "approval.requested").size(), 1u);
  ASSERT_EQ(target.requests().size(), 2u);
  EXPECT_EQ(json::parse(target.requests()[1].body), json::parse(R"({"count": 1})"))
      << "the retry sends the approved body too";
}

TEST_F(ToolGateTest, APendingGateSurvivesARestartAndItsCallRunsOnce) {
  HttpTarget target(Answer(200, "{}"));
  ApplyPurge(target, R"(, "require_approval": {"edits": true})");
  std::string run_id = StartPurge(9);
  std::string approval_id = PendingApproval(run_id);
  ReopenWithClock();
  ASSERT_TRUE(Approve(approval_id, R"({"body": {"count": 8}})").ok());
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); }));
  ReopenWithClock();
  std::string other = StartPurge(1);
  ASSERT_TRUE(Approve(PendingApproval(other)).ok());
  ASSERT_TRUE(Eventually([&] { return Finished(other); }));
  ASSERT_EQ(target.requests().size(), 2u) << "each run's call, once";
  EXPECT_EQ(json::parse(target.requests()[0].body), json::parse(R"({"count": 8})"));
}

TEST_F(ToolGateTest, ATimeoutThatApprovesMakesTheCall) {
  HttpTarget target(Answer(200, "{}"));
  ApplyPurge(target, R"(, "require_approval": {"timeout": "1h", "on_timeout": "approve"})");
  std::string run_id = StartPurge(9);
  PendingApproval(run_id);
  now_ += kHour;
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); })) << "the timeout never fired";
  EXPECT_EQ(Run(run_id).status, RunStatus::kCompleted);
  EXPECT_EQ(target.requests().size(), 1u);
}

TEST_F(ToolGateTest, DefinitionsNameTheStepAndTheFieldOfEveryMistake) {
  const std::pair<std::string, std::string> cases[] = {
      {R"("on_reject": "b")", "step 'a': 'on_reject' needs 'require_approval'"},
      {R"("require_approval": 3)", "step 'a': 'require_approval' must be true, false, a Lua"},
      {R"("require_approval": "amount >")", "step 'a': 'require_approval': "},
      {R"("require_approval": {"whom": "x"})",
       "step 'a': 'require_approval': unknown field 'whom'"},
      {R"("require_approval": {"edits": ["url"]})",
       "step 'a': 'require_approval': 'edits' must be true, false or [\"body\"]"},
      {R"("require_approval": {"edits": true})",
       "step 'a': 'require_approval': 'edits': the request has no body to edit"},
      {R"("require_approval": {"timeout": "soon"})", "step 'a': 'require_approval': 'timeout'"},
      {R"("require_approval": {"approvers": ["alice"], "quorum": 2})",
       "step 'a': 'require_approval': 'quorum' is 2, more than the 1 user(s)"},
      {R"("require_approval": {"quorum": "all"})",
       "step 'a': 'require_approval': 'quorum' \"all\" needs a list of users to count"},
      {R"("require_approval": true, "approve_retries": 1)",
       "step 'a': 'approve_retries' must be true or false"},
      {R"("approve_retries": true)", "step 'a': 'approve_retries' needs 'require_approval'"},
  };
  for (const auto& [fields, says] : cases) {
    auto applied = engine_->ApplyWorkflow(
        kAdmin, "bad", json::parse(R"({"steps": [{"id": "a", "type": "http", "url": "http://x/", )" +
                                   fields + R"(}, {"id": "b", "type": "code", "lua": "return 1"}]})"));
    ASSERT_FALSE(applied.ok()) << fields;
    EXPECT_THAT(applied.status().message(), ::testing::HasSubstr(says)) << fields;
  }
  auto code_edits = engine_->ApplyWorkflow(kAdmin, "bad", json::parse(R"({"steps": [
      {"id": "a", "type": "code", "lua": "return 1", "require_approval": {"edits": true}}]})"));
  ASSERT_FALSE(code_edits.ok());
  EXPECT_THAT(code_edits.status().message(), ::testing::HasSubstr("a code step's call takes none"));
}

TEST(ToolGateMasking, CredentialsAreMaskedAndEverythingElseShownAsSent) {
  EXPECT_TRUE(IsSecretHeader("Authorization"));
  EXPECT_TRUE(IsSecretHeader("proxy-authorization"));
  EXPECT_TRUE(IsSecretHeader("Cookie"));
  EXPECT_TRUE(IsSecretHeader("X-API-Key"));
  EXPECT_TRUE(IsSecretHeader("X-Auth-Token"));
  EXPECT_TRUE(IsSecretHeader("Stripe-Signature"));
  EXPECT_TRUE(IsSecretHeader("X-Sig"));
  EXPECT_TRUE(IsSecretHeader("Api_Pwd"));
  EXPECT_TRUE(IsSecretHeader("X-Bearer"));
  EXPECT_FALSE(IsSecretHeader("Content-Type"));
  EXPECT_FALSE(IsSecretHeader("X-Reason"));
  EXPECT_FALSE(IsSecretHeader("X-Design")) << "sig only as a word of its own";
  EXPECT_EQ(MaskedUrl("https://user:pw@api.example/v1?token=t&page=2&access_key=a"),
            "https://user:***@api.example/v1?token=***&page=2&access_key=***");
  EXPECT_EQ(MaskedUrl("https://api.example/v1/records/42"), "https://api.example/v1/records/42");
  EXPECT_EQ(MaskedUrl("https://blob.example/c?sv=2024&sig=abc&pwd=x#top"),
            "https://blob.example/c?sv=2024&sig=***&pwd=***#top") << "a fragment too";
  EXPECT_EQ(MaskedUrl("not a url"), "not a url");
}

}  // namespace
}  // namespace assent::engine::engine_testing
