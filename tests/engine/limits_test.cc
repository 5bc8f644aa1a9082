// The engine's size limits (EngineOptions max_*): a command over one is refused with
// kTooLarge, nothing written; a step over one fails its run. Every message names the limit and
// the actual size. Checked in the engine, so an embedding program gets them without the API.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/engine/engine_fixture.h"

namespace assent::engine {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using engine_testing::AsAdmin;
using engine_testing::kAdmin;
using engine_testing::ActorNamed;
using engine_testing::Await;
using engine_testing::EngineTest;

class LimitsTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineOptions options = engine_testing::kTestOptions;
    options.max_input_bytes = 1'000;
    options.max_step_output_bytes = 1'000;
    options.max_approval_message_bytes = 100;
    options.max_approval_show_bytes = 200;
    options.max_comment_bytes = 50;
    options.max_comments_per_approval = 3;
    Reopen(options);
    // The input decides how big the code step's output, the message and the show are.
    ApplyWorkflow("sized", R"({"steps": [
      {"id": "make", "type": "code", "lua": "return {text = string.rep('x', input.output)}"},
      {"id": "ask", "type": "approval", "message": "{{input.message}}",
       "show": {"blob": "{{input.show}}"}}]})");
  }

  // Input of `pad` bytes of padding plus the sizes the steps should make.
  std::string Input(size_t output, size_t message, size_t show, size_t pad = 0) {
    return R"({"output": )" + std::to_string(output) + R"(, "message": ")" +
           std::string(message, 'm') + R"(", "show": ")" + std::string(show, 's') +
           R"(", "pad": ")" + std::string(pad, 'p') + R"("})";
  }

  Status StartStatus(const std::string& input) {
    return Await<StartRunResult>([&](auto done) {
             engine_->StartRun(AsAdmin(StartRunCommand{"sized", boost::json::parse(input).as_object()}), done);
           })
        .status();
  }

  // A waiting run's approval id.
  std::string WaitingApproval() {
    std::string run_id = Start("sized", Input(10, 10, 10));
    RunView run = Run(run_id);
    EXPECT_EQ(run.status, RunStatus::kWaiting) << run.error;
    return run.pending_approvals.empty() ? "" : run.pending_approvals[0].id;
  }

  Result<ApprovalView> Comment(const std::string& approval_id, const std::string& text) {
    return Await<ApprovalView>([&](auto done) {
      engine_->AddComment(CommentCommand{approval_id, ActorNamed("carol"), text}, done);
    });
  }
};

TEST_F(LimitsTest, AnInputOverTheLimitIsRefusedAndNothingIsWritten) {
  Status refused = StartStatus(Input(10, 10, 10, 1'000));
  EXPECT_EQ(refused.code(), StatusCode::kTooLarge);
  EXPECT_THAT(refused.message(),
              AllOf(HasSubstr("input"), HasSubstr("1000"), HasSubstr("max_input_bytes"),
                    HasSubstr("--max-input-bytes"), HasSubstr(" 10")));
  EXPECT_TRUE(ListRunsAsAdmin(std::nullopt, 10)->empty());
  EXPECT_TRUE(StartStatus(Input(10, 10, 10, 800)).ok()) << "under the limit: accepted";
}

TEST_F(LimitsTest, AStepOutputOverTheLimitFailsTheRunSayingSo) {
  std::string run_id = Start("sized", Input(2'000, 10, 10));
  RunView run = Run(run_id);
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_THAT(run.error, AllOf(HasSubstr("step 'make'"), HasSubstr("output"),
                               HasSubstr("max_step_output_bytes"), HasSubstr("1000")));
  EXPECT_FALSE(run.steps.contains("make")) << "the oversized output is not recorded";
}

TEST_F(LimitsTest, AnApprovalMessageOrShowOverTheLimitFailsTheRun) {
  RunView long_message = Run(Start("sized", Input(10, 150, 10)));
  EXPECT_EQ(long_message.status, RunStatus::kFailed);
  EXPECT_THAT(long_message.error, AllOf(HasSubstr("message"), HasSubstr("150"),
                                        HasSubstr("max_approval_message_bytes")));
  RunView big_show = Run(Start("sized", Input(10, 10, 300)));
  EXPECT_EQ(big_show.status, RunStatus::kFailed);
  EXPECT_THAT(big_show.error, AllOf(HasSubstr("show"), HasSubstr("max_approval_show_bytes")));
  EXPECT_TRUE(ListApprovalsAsAdmin(std::nullopt, 10)->empty());
}

TEST_F(LimitsTest, CommentsAndDecisionCommentsOverTheLimitAreRefused) {
  std::string approval_id = WaitingApproval();
  auto comment = Comment(approval_id, std::string(51, 'c'));
  EXPECT_EQ(comment.status().code(), StatusCode::kTooLarge);
  EXPECT_THAT(comment.status().message(), AllOf(HasSubstr("51"), HasSubstr("max_comment_bytes")));
  auto decided = DecideOn(approval_id, Decision::kReject, std::string(51, 'r'));
  EXPECT_EQ(decided.status().code(), StatusCode::kTooLarge);
  EXPECT_THAT(decided.status().message(), HasSubstr("max_comment_bytes"));

  auto approval = engine_->GetApproval(kAdmin, approval_id);
  ASSERT_TRUE(approval.ok());
  EXPECT_TRUE(approval->comments.empty());
  EXPECT_EQ(approval->status, ApprovalStatus::kPending) << "the refused decision changed nothing";
  EXPECT_TRUE(Comment(approval_id, std::string(50, 'c')).ok()) << "at the limit: accepted";
}

TEST_F(LimitsTest, AnApprovalTakesAtMostTheLimitOfComments) {
  std::string approval_id = WaitingApproval();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Comment(approval_id, "c" + std::to_string(i)).ok());
  auto fourth = Comment(approval_id, "one too many");
  EXPECT_EQ(fourth.status().code(), StatusCode::kTooLarge);
  EXPECT_THAT(fourth.status().message(),
              AllOf(HasSubstr("3 comments"), HasSubstr("max_comments_per_approval")));
  EXPECT_EQ(engine_->GetApproval(kAdmin, approval_id)->comments.size(), 3u);
  EXPECT_TRUE(DecideOn(approval_id, Decision::kApprove, "fine").ok()) << "decisions still go";
}

}  // namespace
}  // namespace assent::engine
