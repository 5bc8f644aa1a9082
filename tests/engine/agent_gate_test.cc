// Gates for outside agents (Engine::OpenGate, AwaitGate): an approval that belongs to no
// workflow, decided by the approvers its request names, long-polled for its outcome, with its
// timeout a durable timer. Every gate's run passes the replay-equality check at the end of its
// test.
#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>

#include "tests/engine/clocked_engine_fixture.h"

namespace assent::engine::engine_testing {
namespace {

const Principal kAgent{.id = "agent-bot", .service = true};
const Principal kFinance = User("fin", {"finance"});
const Principal kOutsider = User("bob");

constexpr const char* kPayment = R"({
  "title": "Pay invoice 7 to ACME",
  "message": "The agent wants to pay {{vendor}} 7200 EUR.",
  "context": {"amount": 7200, "vendor": "ACME", "iban": "DE02 1203"},
  "approvers": ["group:finance"],
  "timeout": "1h"
})";

class AgentGateTest : public ClockedEngineTest {
 protected:
  Result<OpenGateResult> Open(const Principal& opener, const std::string& request,
                              const std::string& key = "") {
    return Await<OpenGateResult>([&](auto done) {
      engine_->OpenGate(OpenGateCommand{json::parse(request), key, {.principal = opener}}, done);
    });
  }

  // The gate as `opener` opened it, failing the test when it could not be.
  ApprovalView OpenPayment(const Principal& opener = kAgent) {
    auto opened = Open(opener, kPayment);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? opened->gate : ApprovalView{};
  }

  Result<ApprovalView> AwaitGate(const Principal& viewer, const std::string& gate_id,
                                 std::chrono::milliseconds wait = std::chrono::milliseconds(0)) {
    return Await<ApprovalView>([&](auto done) {
      engine_->AwaitGate(viewer, gate_id, wait, done);
    });
  }

  Result<ApprovalView> Decide(const Principal& who, const std::string& gate_id,
                              Decision decision, const std::string& comment,
                              const std::string& edits = "{}") {
    return Await<ApprovalView>([&](auto done) {
      engine_->Decide(DecideCommand{gate_id, decision, {.principal = who}, comment,
                                    json::parse(edits).as_object()},
                      done);
    });
  }

  size_t ApprovalsVisibleTo(const Principal& viewer) {
    auto page = engine_->ListApprovals(viewer, ApprovalQuery{});
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->approvals.size() : 0;
  }
};

TEST_F(AgentGateTest, AGateIsAPendingApprovalShowingItsRequestAsWritten) {
  ApprovalView gate = OpenPayment();
  EXPECT_TRUE(gate.IsAgentGate());
  EXPECT_EQ(gate.status, ApprovalStatus::kPending);
  EXPECT_EQ(gate.title, "Pay invoice 7 to ACME");
  EXPECT_EQ(gate.message, "The agent wants to pay {{vendor}} 7200 EUR.")
      << "an agent's text is never rendered as a template";
  EXPECT_EQ(gate.show, json::parse(R"({"amount": 7200, "vendor": "ACME", "iban": "DE02 1203"})"));
  EXPECT_EQ(gate.approvers, std::vector<std::string>{"group:finance"});
  EXPECT_EQ(gate.started_by, "agent-bot");
  EXPECT_EQ(gate.due_at_ms, kStart + kHour);
  auto read = AwaitGate(kAgent, gate.id);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, gate);
  DecidersView deciders = engine_->Deciders(kFinance, gate);
  EXPECT_EQ(deciders.approvers, std::vector<std::string>{"group:finance"});
  EXPECT_TRUE(deciders.can_decide);
  EXPECT_TRUE(deciders.edits_allowed);
}

TEST_F(AgentGateTest, TheLongPollAnswersWithTheApprovalAndTheReviewersEdits) {
  ApprovalView gate = OpenPayment();
  Outcome<ApprovalView> poll;
  engine_->AwaitGate(kAgent, gate.id, std::chrono::seconds(30), poll.Receiver());
  auto decided = Decide(kFinance, gate.id, Decision::kApprove, "pay half now",
                        R"({"amount": 3600})");
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  auto answered = poll.Get();
  ASSERT_TRUE(answered.ok()) << answered.status().ToString();
  EXPECT_EQ(answered->status, ApprovalStatus::kApproved);
  ASSERT_EQ(answered->decisions.size(), 1u);
  EXPECT_EQ(answered->decisions[0].reviewer, "fin");
  EXPECT_EQ(answered->decisions[0].comment, "pay half now");
  EXPECT_EQ(answered->ApprovedShow().at("amount"), 3600);
  EXPECT_EQ(answered->show.at("amount"), 7200) << "the original stays beside the edit";
}

TEST_F(AgentGateTest, ARejectionCarriesTheReviewersFeedback) {
  ApprovalView gate = OpenPayment();
  ASSERT_TRUE(Decide(kFinance, gate.id, Decision::kReject, "wrong IBAN: ask the vendor").ok());
  auto answered = AwaitGate(kAgent, gate.id, std::chrono::seconds(30));
  ASSERT_TRUE(answered.ok());
  EXPECT_EQ(answered->status, ApprovalStatus::kRejected);
  EXPECT_EQ(answered->decisions.back().comment, "wrong IBAN: ask the vendor");
}

TEST_F(AgentGateTest, OnlyItsApproversDecideAndOnlyTheyItsOpenerAndAdminsSeeIt) {
  ApprovalView gate = OpenPayment();
  EXPECT_EQ(AwaitGate(kOutsider, gate.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->GetApproval(kOutsider, gate.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Decide(kOutsider, gate.id, Decision::kApprove, "").status().code(),
            StatusCode::kNotFound)
      << "who may not see it learns nothing";
  EXPECT_EQ(Decide(kAgent, gate.id, Decision::kApprove, "").status().code(),
            StatusCode::kPermissionDenied)
      << "a service account never decides";
  EXPECT_EQ(ApprovalsVisibleTo(kOutsider), 0u);
  EXPECT_EQ(ApprovalsVisibleTo(kFinance), 1u);
  EXPECT_EQ(ApprovalsVisibleTo(kAgent), 1u);
  EXPECT_FALSE(engine_->MayViewApproval(kOutsider, gate));
  EXPECT_TRUE(engine_->MayViewApproval(kFinance, gate));
  EXPECT_EQ(engine_->CountDecidable(kFinance), 1u);
  EXPECT_EQ(engine_->CountDecidable(kOutsider), 0u);
  EXPECT_EQ(engine_->CountDecidable(kAgent), 0u);

  // A person in the approvers' group who opens a gate may not approve it: another person must.
  const Principal carol = User("carol", {"finance"});
  ApprovalView own = OpenPayment(carol);
  auto refused = Decide(carol, own.id, Decision::kApprove, "");
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(refused.status().message(), ::testing::HasSubstr("opened gate"));
  EXPECT_EQ(engine_->CountDecidable(carol), 1u) << "the other gate only";
  EXPECT_TRUE(Decide(kFinance, own.id, Decision::kApprove, "").ok());
  EXPECT_EQ(AwaitGate(carol, own.id)->status, ApprovalStatus::kApproved);
}

TEST_F(AgentGateTest, WhoMaySeeItMayCommentAndItsRunIsNobodysButTheAdmins) {
  ApprovalView gate = OpenPayment();
  auto comment = [&](const Principal& who, const std::string& text) {
    return Await<ApprovalView>([&](auto done) {
      engine_->AddComment(CommentCommand{gate.id, {.principal = who}, text}, done);
    });
  };
  EXPECT_EQ(comment(kOutsider, "hi").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(comment(kAgent, "the customer asked twice").ok());
  auto commented = comment(kFinance, "checking");
  ASSERT_TRUE(commented.ok()) << commented.status().ToString();
  EXPECT_EQ(commented->comments.size(), 2u);
  EXPECT_EQ(engine_->GetRun(kAgent, gate.run_id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->GetEvents(kFinance, gate.run_id).status().code(), StatusCode::kNotFound);
}

TEST_F(AgentGateTest, AnAdminWhoOpensAGateMayNotDecideIt) {
  ApprovalView gate = OpenPayment(kAdmin);
  auto refused = Decide(kAdmin, gate.id, Decision::kApprove, "");
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(Decide(kFinance, gate.id, Decision::kApprove, "").ok());
}

TEST_F(AgentGateTest, CancellingItsRunWithdrawsTheGateAndAnswersThePoll) {
  ApprovalView gate = OpenPayment();
  Outcome<ApprovalView> poll;
  engine_->AwaitGate(kAgent, gate.id, std::chrono::seconds(30), poll.Receiver());
  auto cancelled = Await<RunView>([&](auto done) {
    engine_->Cancel(CancelCommand{gate.run_id, {.principal = kAdmin}, "duplicate request"}, done);
  });
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().ToString();
  auto answered = poll.Get();
  ASSERT_TRUE(answered.ok());
  EXPECT_EQ(answered->status, ApprovalStatus::kCancelled);
  auto retried = Await<RunView>([&](auto done) {
    engine_->Retry(RetryCommand{gate.run_id, {.principal = kAdmin}}, done);
  });
  EXPECT_EQ(retried.status().code(), StatusCode::kConflict) << "only a failed run is retried";
}

TEST_F(AgentGateTest, ARejectedGatesRunIsNotRetried) {
  ApprovalView gate = OpenPayment();
  ASSERT_TRUE(Decide(kFinance, gate.id, Decision::kReject, "no").ok());
  ASSERT_TRUE(Eventually([&] { return Run(gate.run_id).status == RunStatus::kFailed; }));
  auto retried = Await<RunView>([&](auto done) {
    engine_->Retry(RetryCommand{gate.run_id, {.principal = kAdmin}}, done);
  });
  EXPECT_EQ(retried.status().code(), StatusCode::kFailedPrecondition)
      << "a retry would ask again under a gate id nobody polls";
  EXPECT_EQ(AwaitGate(kAgent, gate.id)->status, ApprovalStatus::kRejected);
}

TEST_F(AgentGateTest, AGateWithoutApproversIsForAdminsOnly) {
  auto opened = Open(kAgent, R"({"title": "Drop table users"})");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->gate.message, "Drop table users") << "the title, when there is no message";
  EXPECT_EQ(Decide(kFinance, opened->gate.id, Decision::kApprove, "").status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(Decide(kAdmin, opened->gate.id, Decision::kReject, "no").ok());
}

TEST_F(AgentGateTest, AnIdempotencyKeyOpensOneGatePerOpener) {
  auto first = Open(kAgent, kPayment, "tool-call-17");
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->created);
  auto again = Open(kAgent, kPayment, "tool-call-17");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->gate.id, first->gate.id);
  auto other_request = Open(kAgent, R"({"title": "Something else"})", "tool-call-17");
  EXPECT_EQ(other_request.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(other_request.status().message(), ::testing::HasSubstr(first->gate.id));
  const Principal other_agent{.id = "other-bot", .service = true};
  auto others = Open(other_agent, kPayment, "tool-call-17");
  ASSERT_TRUE(others.ok());
  EXPECT_TRUE(others->created) << "keys are their opener's own";
  EXPECT_NE(others->gate.id, first->gate.id);
}

TEST_F(AgentGateTest, ABadRequestIsRefusedNamingTheFieldAndStoresNothing) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"message": "no title"})", "'title'"},
      {R"({"title": ""})", "'title'"},
      {R"({"title": "t", "contxt": {}})", "unknown field 'contxt'"},
      {R"({"title": "t", "context": [1]})", "'context' must be an object"},
      {R"({"title": "t", "approvers": ["group:"]})", "'approvers'"},
      {R"({"title": "t", "approvers": []})", "'approvers'"},
      // Names no user or group of the directory can have, which would leave it to admins.
      {R"({"title": "t", "approvers": ["lead", "Lead"]})",
       "'approvers': entry 2 ('Lead'): a user id must be 1 to 64 characters of a-z"},
      {R"({"title": "t", "approvers": ["*", "group:Finance"]})",
       "'approvers': entry 2 ('group:Finance'): a group name must be"},
      {R"({"title": "t", "timeout": "soon"})", "'timeout'"},
      {R"({"title": "t", "timeout": "400d"})", "'timeout' must be from 1s to 366d"},
      {R"({"title": 7})", "'title' must be a string"},
      {R"([1, 2])", "JSON object"},
  };
  for (const auto& [request, says] : cases) {
    auto opened = Open(kAgent, request);
    EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument) << request;
    EXPECT_THAT(opened.status().message(), ::testing::HasSubstr(says)) << request;
  }
  json::array many;
  for (int i = 0; i < 101; ++i) many.emplace_back("user" + std::to_string(i));
  auto too_many = Open(kAgent, json::serialize(json::object{{"title", "t"}, {"approvers", many}}));
  EXPECT_EQ(too_many.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(too_many.status().message(), ::testing::HasSubstr("at most 100"));
  EXPECT_EQ(ApprovalsVisibleTo(kAdmin), 0u);
  auto started = Await<StartRunResult>([&](auto done) {
    engine_->StartRun(AsAdmin(StartRunCommand{std::string(kAgentGateWorkflow), {}, ""}), done);
  });
  EXPECT_EQ(started.status().code(), StatusCode::kInvalidArgument)
      << "a gate's run starts only as a gate";
}

TEST_F(AgentGateTest, AnUndecidedGateTimesOutAndThePollSaysSo) {
  ApprovalView gate = OpenPayment();
  Outcome<ApprovalView> poll;
  engine_->AwaitGate(kAgent, gate.id, std::chrono::seconds(30), poll.Receiver());
  now_ += kHour;
  auto answered = poll.Get();
  ASSERT_TRUE(answered.ok()) << answered.status().ToString();
  EXPECT_EQ(answered->status, ApprovalStatus::kTimedOut);
  EXPECT_EQ(Decide(kFinance, gate.id, Decision::kApprove, "late").status().code(),
            StatusCode::kConflict);
}

TEST_F(AgentGateTest, AGateSurvivesARestartAndItsTimeoutFiresAfterOne) {
  ApprovalView decided_later = OpenPayment();
  ApprovalView timing_out = OpenPayment();
  ReopenWithClock();
  EXPECT_EQ(engine_->CountDecidable(kFinance), 2u) << "the tally is rebuilt from the index";
  EXPECT_EQ(engine_->CountDecidable(kOutsider), 0u);
  auto read = AwaitGate(kAgent, decided_later.id);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, decided_later);
  ASSERT_TRUE(Decide(kFinance, decided_later.id, Decision::kApprove, "ok").ok());
  EXPECT_EQ(AwaitGate(kAgent, decided_later.id)->status, ApprovalStatus::kApproved);
  engine_.reset();
  now_ += 2 * kHour;  // its timeout came due while the server was down
  ReopenWithClock();
  auto answered = AwaitGate(kAgent, timing_out.id, std::chrono::seconds(30));
  ASSERT_TRUE(answered.ok());
  EXPECT_EQ(answered->status, ApprovalStatus::kTimedOut);
}

TEST_F(AgentGateTest, GatesAreApprovalsNotRuns) {
  ApplyReviewFlow();
  std::string run_id = Start("invoice", R"({"amount": 9000, "vendor": "V", "invoice_id": "1"})");
  OpenPayment();
  auto runs = ListRunsAsAdmin(std::nullopt, 100);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u) << "the gate's run is not listed";
  EXPECT_EQ((*runs)[0].run_id, run_id);
  EXPECT_EQ(ApprovalsVisibleTo(kAdmin), 2u);
  auto workflows = engine_->ListWorkflows(kAdmin);
  ASSERT_TRUE(workflows.ok());
  EXPECT_EQ(workflows->size(), 1u);
}

}  // namespace
}  // namespace assent::engine::engine_testing
