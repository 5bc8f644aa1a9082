// Escalation ladders and reminders: an approval step's `remind_after` (its approvers are told
// again once) and `escalate` (as a timeout runs out, the next rung's approvers decide it, within
// their own timeout), before `on_timeout` decides. Every rung and reminder is an event, and
// every timer is durable: one that came due while the engine was down fires once at start. The
// engine runs on the test's clock; every test ends with the replay-equality check.
#include <gmock/gmock.h>

#include <mutex>

#include "tests/engine/clocked_engine_fixture.h"

namespace assent::engine::engine_testing {
namespace {

using ::testing::HasSubstr;

// alice decides first; after an hour the leads (lena) decide, after another the board (bob);
// then the timeout rejects. Reminders half an hour into each rung.
constexpr const char* kLadderFlow = R"({"editors": ["alice", "lena", "bob"], "steps": [
  {"id": "review", "type": "approval", "message": "Pay?", "approvers": ["alice"],
   "timeout": "1h", "remind_after": "30m", "on_timeout": "reject", "on_reject": "declined",
   "escalate": [{"approvers": ["lena"], "timeout": "1h"}, {"approvers": ["bob"], "timeout": "2h"}]},
  {"id": "pay", "type": "code", "lua": "return {paid = true}", "next": "end"},
  {"id": "declined", "type": "code", "lua": "return {timed_out = steps.review.timed_out}"}
]})";

class EscalationTest : public ClockedEngineTest {
 protected:
  void SetUp() override {
    ClockedEngineTest::SetUp();
    ApplyWorkflow("pay", kLadderFlow);
    run_id_ = Start("pay", "{}");
    approval_id_ = PendingApproval(run_id_);
  }

  size_t EventsOfType(const std::string& type) {
    std::vector<std::string> types = EventTypes(run_id_);
    return static_cast<size_t>(std::count(types.begin(), types.end(), type));
  }

  // Moves the clock and waits (bounded) until the run has `count` events of `type`.
  void AdvanceUntil(int64_t ms, const std::string& type, size_t count) {
    now_ += ms;
    EXPECT_TRUE(Eventually([&] { return EventsOfType(type) >= count; }))
        << "no " << count << " " << type << " event(s) within 20 s";
  }

  ApprovalView Approval() {
    auto approval = engine_->GetApproval(kAdmin, approval_id_);
    EXPECT_TRUE(approval.ok()) << approval.status().ToString();
    return approval.ok() ? *approval : ApprovalView{};
  }

  std::string run_id_;
  std::string approval_id_;
};

TEST_F(EscalationTest, TheRequestArmsATimeoutAndAReminder) {
  EXPECT_EQ(Approval().remind_at_ms, kStart + kHour / 2);
  EXPECT_EQ(TimerEntries(),
            (std::vector<std::pair<int64_t, std::string>>{
                {kStart + kHour / 2, approval_id_ + "/remind"}, {kStart + kHour, approval_id_}}));
  auto events = engine_->GetEvents(kAdmin, run_id_);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->back().fields.at("remind_after"), "30m");
}

TEST_F(EscalationTest, AReminderIsSentOnceAndDisarmed) {
  std::vector<std::string> seen;
  std::mutex seen_mutex;
  engine_->Subscribe([&](const ApprovalNotification& notification) {
    std::lock_guard lock(seen_mutex);
    seen.emplace_back(ToString(notification.kind));
  });
  AdvanceUntil(kHour / 2, "approval.reminded", 1);
  EXPECT_EQ(Approval().status, ApprovalStatus::kPending);
  EXPECT_EQ(Approval().remind_at_ms, 0);
  EXPECT_EQ(TimerEntries(), (std::vector<std::pair<int64_t, std::string>>{
                                {kStart + kHour, approval_id_}}));
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard lock(seen_mutex);
    return !seen.empty();
  }));
  {
    std::lock_guard lock(seen_mutex);
    EXPECT_EQ(seen, std::vector<std::string>{"approval.reminded"});
  }
  ReopenWithClock();  // a restart sends no second reminder
  now_ += 1;
  // Through the run's shard, so after any timer that fired.
  auto decided = DecideAs(User("alice"), approval_id_, Decision::kApprove);
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(EventsOfType("approval.reminded"), 1u);
}

TEST_F(EscalationTest, EachTimeoutHandsTheApprovalToTheNextRungThenOnTimeoutDecides) {
  AdvanceUntil(kHour, "approval.escalated", 1);
  ApprovalView escalated = Approval();
  EXPECT_EQ(escalated.status, ApprovalStatus::kPending);
  EXPECT_EQ(escalated.rung, 1u);
  EXPECT_EQ(escalated.due_at_ms, kStart + 2 * kHour);
  EXPECT_EQ(escalated.remind_at_ms, kStart + kHour + kHour / 2);  // each rung is reminded too
  EXPECT_EQ(engine_->Deciders(kAdmin, escalated).approvers, std::vector<std::string>{"lena"});
  EXPECT_FALSE(engine_->Deciders(User("alice"), escalated).can_decide);
  EXPECT_TRUE(engine_->Deciders(User("lena"), escalated).can_decide);
  EXPECT_EQ(engine_->CountDecidable(User("alice")), 0u);
  EXPECT_EQ(engine_->CountDecidable(User("lena")), 1u);
  auto refused = DecideAs(User("alice"), approval_id_, Decision::kApprove);
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(refused.status().message(), HasSubstr("only its escalation's approvers may"));

  AdvanceUntil(kHour, "approval.escalated", 2);
  EXPECT_EQ(Approval().rung, 2u);
  EXPECT_EQ(Approval().due_at_ms, kStart + 4 * kHour);
  EXPECT_FALSE(engine_->Deciders(User("lena"), Approval()).can_decide);
  EXPECT_EQ(engine_->CountDecidable(User("bob")), 1u);

  AdvanceUntil(2 * kHour, "approval.timed_out", 1);
  RunView run = Run(run_id_);
  EXPECT_EQ(run.status, RunStatus::kCompleted);
  EXPECT_EQ(run.steps.at("declined").at("timed_out"), true);
  EXPECT_TRUE(TimerEntries().empty());
  EXPECT_EQ(engine_->CountDecidable(User("bob")), 0u);
  auto report = VerifyLog(log_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->problems.empty()) << report->problems.front();
}

TEST_F(EscalationTest, TheEscalatedRungDecides) {
  AdvanceUntil(kHour, "approval.escalated", 1);
  auto decided = DecideAs(User("lena"), approval_id_, Decision::kApprove);
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->status, ApprovalStatus::kApproved);
  EXPECT_EQ(Run(run_id_).status, RunStatus::kCompleted);
  EXPECT_TRUE(TimerEntries().empty());
}

TEST_F(EscalationTest, ATimeoutDueDuringDowntimeEscalatesOnceAtStart) {
  engine_.reset();
  now_ += 10 * kHour;  // past every rung's due time, had they run from the request
  ReopenWithClock();
  ASSERT_TRUE(Eventually([&] { return EventsOfType("approval.escalated") == 1; }));
  // The rung's timeout runs from the escalation: nothing more is due yet.
  auto decided = DecideAs(User("lena"), approval_id_, Decision::kReject);
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(EventsOfType("approval.escalated"), 1u);
  EXPECT_EQ(EventsOfType("approval.reminded"), 1u);  // the first rung's, due during downtime
  EXPECT_EQ(Run(run_id_).status, RunStatus::kCompleted);
}

TEST_F(EscalationTest, ACancelDisarmsTheTimeoutAndTheReminder) {
  auto cancelled = Await<RunView>([&](auto done) {
    engine_->Cancel(CancelCommand{run_id_, ActorNamed("admin"), "not needed"}, done);
  });
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().ToString();
  EXPECT_TRUE(TimerEntries().empty());
}

TEST_F(EscalationTest, DefinitionsNameTheStepAndTheFieldAtFault) {
  struct Case {
    std::string step_fields;
    std::string error;
  };
  const Case cases[] = {
      {R"("escalate": {"approvers": ["lena"], "timeout": "1h"})",
       "step 'review': 'escalate' needs a 'timeout' to escalate on"},
      {R"("timeout": "1h", "escalate": {"timeout": "1h"})",
       "step 'review': 'escalate' rung 1: 'approvers': missing: who decides on this rung"},
      {R"("timeout": "1h", "escalate": [{"approvers": ["lena"], "timeout": "1h"},
                                         {"approvers": ["bob"]}])",
       "step 'review': 'escalate' rung 2: missing required field 'timeout'"},
      {R"("timeout": "1h", "escalate": {"approvers": ["lena"], "timeout": "1h", "to": "x"})",
       "step 'review': 'escalate' rung 1: unknown field 'to' (a rung takes approvers and timeout)"},
      {R"("timeout": "1h", "escalate": {"approvers": ["lena"], "timeout": "soon"})",
       "step 'review': 'escalate' rung 1: 'timeout': "},
      {R"("timeout": "1h", "escalate": "lena")",
       "step 'review': 'escalate' rung 1 must be an object"},
      {R"("timeout": "1h", "escalate": [])",
       "step 'review': 'escalate' must be a rung or a list of 1 to 5 rungs"},
      {R"("timeout": "1h", "remind_after": "1h")",
       "step 'review': 'remind_after' must be shorter than 'timeout'"},
      {R"("remind_after": "0s")", "step 'review': 'remind_after' must be from 1s to 366d"},
  };
  for (const Case& bad : cases) {
    std::string document =
        R"({"steps": [{"id": "review", "type": "approval", "message": "ok?", )" +
        bad.step_fields + "}]}";
    auto applied = engine_->ApplyWorkflow(kAdmin, "bad", json::parse(document));
    ASSERT_FALSE(applied.ok()) << document;
    EXPECT_EQ(applied.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(applied.status().message(), HasSubstr(bad.error)) << document;
  }
}

}  // namespace
}  // namespace assent::engine::engine_testing
