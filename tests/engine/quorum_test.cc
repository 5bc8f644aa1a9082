// Approval quorums: an approval step's `quorum` (N distinct approvers, or "all" of its list) and
// `reject_quorum`. Each decision short of its side's quorum is a vote: the approval stays
// pending, a reviewer votes once, and the vote that reaches a quorum decides. Every test ends
// with the replay-equality check (EngineTest), and the restart test folds the votes back.
#include <gtest/gtest.h>

#include <mutex>
#include <string>

#include "tests/engine/engine_fixture.h"

namespace assent::engine::engine_testing {
namespace {

// alice, bob and carol edit; the review step takes the quorum fields the test gives.
std::string QuorumFlow(const std::string& quorums) {
  return R"({"editors": ["alice", "bob", "carol"], "steps": [
    {"id": "review", "type": "approval", "message": "Ship it?", "on_reject": "rework", )" +
         quorums + R"(},
    {"id": "ship", "type": "code", "lua": "return {by = steps.review.reviewer, votes = #steps.review.votes}", "next": "end"},
    {"id": "rework", "type": "code", "lua": "return {feedback = steps.review.comment}"}
  ]})";
}

class QuorumTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    engine_->Subscribe([this](const ApprovalNotification& notification) {
      std::lock_guard lock(seen_mutex_);
      seen_.push_back(std::string(ToString(notification.kind)) + " " + notification.by);
    });
  }

  // A run of "ship" started by the admin: its pending approval's id.
  std::string StartReview(const std::string& quorums) {
    ApplyWorkflow("ship", QuorumFlow(quorums));
    run_id_ = Start("ship", "{}");
    RunView run = Run(run_id_);
    EXPECT_EQ(run.pending_approvals.size(), 1u);
    return run.pending_approvals.empty() ? "" : run.pending_approvals[0].id;
  }

  bool CanDecide(const std::string& who, const std::string& approval_id) {
    auto approval = engine_->GetApproval(kAdmin, approval_id);
    EXPECT_TRUE(approval.ok()) << approval.status().ToString();
    return approval.ok() && engine_->Deciders(User(who), *approval).can_decide;
  }

  // The notifications seen so far, as "type by"; waits (bounded) until there are `count`.
  std::vector<std::string> Seen(size_t count) {
    bool arrived = Eventually([&] {
      std::lock_guard lock(seen_mutex_);
      return seen_.size() >= count;
    });
    std::lock_guard lock(seen_mutex_);
    EXPECT_TRUE(arrived) << "expected " << count << " notifications, got " << seen_.size();
    return seen_;
  }

  std::string run_id_;
  std::mutex seen_mutex_;
  std::vector<std::string> seen_;
};

TEST_F(QuorumTest, TwoDistinctApprovalsDecideAndTheFirstIsAVote) {
  std::string approval_id = StartReview(R"("quorum": 2)");
  auto first = DecideAs(User("alice"), approval_id, Decision::kApprove, "fine by me");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->status, ApprovalStatus::kPending);
  EXPECT_EQ(first->quorum, 2u);
  ASSERT_EQ(first->decisions.size(), 1u);
  EXPECT_EQ(Run(run_id_).status, RunStatus::kWaiting);
  EXPECT_FALSE(CanDecide("alice", approval_id));  // she voted
  EXPECT_TRUE(CanDecide("bob", approval_id));
  EXPECT_EQ(engine_->CountDecidable(User("alice")), 0u);
  EXPECT_EQ(engine_->CountDecidable(User("bob")), 1u);

  auto second = DecideAs(User("bob"), approval_id, Decision::kApprove);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->status, ApprovalStatus::kApproved);
  RunView run = Run(run_id_);
  EXPECT_EQ(run.status, RunStatus::kCompleted);
  EXPECT_EQ(run.steps.at("review").at("reviewer"), "bob");
  EXPECT_EQ(run.steps.at("review").at("votes").as_array().size(), 2u);
  EXPECT_EQ(run.steps.at("ship").at("by"), "bob");
  EXPECT_EQ(Seen(3), (std::vector<std::string>{"approval.requested ", "approval.voted alice",
                                                "approval.decided bob"}));
  EXPECT_EQ(engine_->CountDecidable(User("alice")), 0u);
}

TEST_F(QuorumTest, AReviewerWhoVotedGets409AndNothingIsRecorded) {
  std::string approval_id = StartReview(R"("quorum": 2)");
  ASSERT_TRUE(DecideAs(User("alice"), approval_id, Decision::kApprove).ok());
  size_t events = EventTypes(run_id_).size();
  for (Decision again : {Decision::kApprove, Decision::kReject}) {
    auto twice = DecideAs(User("alice"), approval_id, again);
    ASSERT_FALSE(twice.ok());
    EXPECT_EQ(twice.status().code(), StatusCode::kConflict);
    EXPECT_NE(twice.status().message().find("'alice' has already decided"), std::string::npos)
        << twice.status().message();
    EXPECT_NE(twice.status().message().find("1 of 2 approvals so far"), std::string::npos)
        << twice.status().message();
  }
  EXPECT_EQ(EventTypes(run_id_).size(), events);
}

TEST_F(QuorumTest, OneRejectionDecidesByDefaultWithItsFeedback) {
  std::string approval_id = StartReview(R"("quorum": 2)");
  ASSERT_TRUE(DecideAs(User("alice"), approval_id, Decision::kApprove).ok());
  auto rejected = DecideAs(User("bob"), approval_id, Decision::kReject, "wrong vendor");
  ASSERT_TRUE(rejected.ok()) << rejected.status().ToString();
  EXPECT_EQ(rejected->status, ApprovalStatus::kRejected);
  RunView run = Run(run_id_);
  EXPECT_EQ(run.status, RunStatus::kCompleted);
  EXPECT_EQ(run.steps.at("rework").at("feedback"), "wrong vendor");
}

TEST_F(QuorumTest, RejectQuorumNeedsThatManyRejections) {
  std::string approval_id = StartReview(R"("quorum": 2, "reject_quorum": 2)");
  auto first = DecideAs(User("alice"), approval_id, Decision::kReject, "no");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->status, ApprovalStatus::kPending);
  ASSERT_TRUE(DecideAs(User("bob"), approval_id, Decision::kApprove).ok());
  auto second = DecideAs(User("carol"), approval_id, Decision::kReject, "really not");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->status, ApprovalStatus::kRejected);
  EXPECT_EQ(Run(run_id_).steps.at("rework").at("feedback"), "really not");
}

TEST_F(QuorumTest, AllCountsEveryUserOfTheList) {
  std::string approval_id = StartReview(R"("quorum": "all")");
  for (const char* who : {"alice", "bob"}) {
    auto vote = DecideAs(User(who), approval_id, Decision::kApprove);
    ASSERT_TRUE(vote.ok()) << vote.status().ToString();
    EXPECT_EQ(vote->status, ApprovalStatus::kPending) << who;
    EXPECT_EQ(vote->quorum, 3u);
  }
  auto last = DecideAs(User("carol"), approval_id, Decision::kApprove);
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  EXPECT_EQ(last->status, ApprovalStatus::kApproved);
}

TEST_F(QuorumTest, VotesSurviveARestartAndStillCountOnce) {
  std::string approval_id = StartReview(R"("quorum": 2)");
  ASSERT_TRUE(DecideAs(User("alice"), approval_id, Decision::kApprove).ok());
  Reopen();
  EXPECT_FALSE(CanDecide("alice", approval_id));
  EXPECT_EQ(engine_->CountDecidable(User("alice")), 0u);  // the tally, rebuilt from the index
  EXPECT_EQ(engine_->CountDecidable(User("bob")), 1u);
  auto again = DecideAs(User("alice"), approval_id, Decision::kApprove);
  EXPECT_EQ(again.status().code(), StatusCode::kConflict);
  auto deciding = DecideAs(User("carol"), approval_id, Decision::kApprove);
  ASSERT_TRUE(deciding.ok()) << deciding.status().ToString();
  EXPECT_EQ(deciding->status, ApprovalStatus::kApproved);
  EXPECT_EQ(Run(run_id_).status, RunStatus::kCompleted);
}

TEST_F(QuorumTest, ACancelWithdrawsAnApprovalWithVotesFromEveryCount) {
  std::string approval_id = StartReview(R"("quorum": 2)");
  ASSERT_TRUE(DecideAs(User("alice"), approval_id, Decision::kApprove).ok());
  auto cancelled = Await<RunView>([&](auto done) {
    engine_->Cancel(CancelCommand{run_id_, ActorNamed("admin"), "not needed"}, done);
  });
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().ToString();
  EXPECT_EQ(engine_->CountDecidable(User("alice")), 0u);
  EXPECT_EQ(engine_->CountDecidable(User("bob")), 0u);
  // A new approval counts for alice again.
  StartReview(R"("quorum": 2)");
  EXPECT_EQ(engine_->CountDecidable(User("alice")), 1u);
}

TEST_F(QuorumTest, DefinitionsAreCheckedAgainstTheListWhenItNamesOnlyUsers) {
  struct Case {
    std::string document;
    std::string error;
  };
  auto flow = [](const std::string& lists, const std::string& step_fields) {
    return R"({)" + lists + R"("steps": [{"id": "review", "type": "approval", "message": "ok?", )" +
           step_fields + "}]}";
  };
  const Case cases[] = {
      {flow("", R"("approvers": ["alice", "bob"], "quorum": 3)"),
       "step 'review': 'quorum' is 3, more than the 2 user(s) its 'approvers' name can give"},
      {flow(R"("editors": ["alice"],)", R"("reject_quorum": 2)"),
       "step 'review': 'reject_quorum' is 2, more than the 1 user(s) the workflow's 'editors' "
       "name can give"},
      {flow("", R"("approvers": ["alice", "bob", "carol"], "quorum": 3, "reject_quorum": 2)"),
       "step 'review': 'reject_quorum' and 'quorum' together (2 + 3) ask for more than one vote "
       "beyond the 3 user(s) its 'approvers' name: a split vote would leave it undecided with "
       "nobody left to vote"},
      {flow("", R"("approvers": ["alice", "bob"], "quorum": "all", "self_approval": false)"),
       "step 'review': 'quorum' is 2, more than the 2 user(s) its 'approvers' name (less the "
       "run's starter: \"self_approval\": false) can give"},
      {flow("", R"("approvers": ["alice", "bob"], "quorum": 2, "timeout": "1h",
                   "escalate": {"approvers": ["lena"], "timeout": "1h"})"),
       "step 'review': 'quorum' is 2, more than the 1 user(s) the approvers of 'escalate' rung 1 "
       "name can give"},
      {flow("", R"("approvers": ["alice", "group:ops"], "quorum": "all")"),
       "step 'review': 'quorum' \"all\" needs a list of users to count, but its 'approvers' "
       "name a group or \"*\""},
      {flow("", R"("quorum": "all")"),
       "step 'review': 'quorum' \"all\" needs a list of users to count, but the workflow's "
       "'editors' are not given"},
      {flow("", R"("quorum": 0)"), "step 'review': 'quorum' must be an integer from 1 to 100"},
      {flow("", R"("quorum": "most")"),
       "step 'review': 'quorum' must be an integer from 1 to 100 or \"all\""},
      {flow("", R"("reject_quorum": 1.5)"),
       "step 'review': 'reject_quorum' must be an integer from 1 to 100"},
  };
  for (const Case& bad : cases) {
    auto applied = engine_->ApplyWorkflow(kAdmin, "bad", json::parse(bad.document));
    ASSERT_FALSE(applied.ok()) << bad.document;
    EXPECT_EQ(applied.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(applied.status().message(), bad.error) << bad.document;
  }
  // A group's members can be any number: no quorum is refused against it.
  auto grouped = engine_->ApplyWorkflow(
      kAdmin, "grouped", json::parse(flow("", R"("approvers": ["group:ops"], "quorum": 5)")));
  EXPECT_TRUE(grouped.ok()) << grouped.status().ToString();
}

}  // namespace
}  // namespace assent::engine::engine_testing
