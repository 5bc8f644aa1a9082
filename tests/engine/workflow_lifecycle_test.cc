// A workflow's versions and lifecycle: every applied definition is a version, newest first; a
// run keeps its version to the end, across a restart; disabling refuses new starts (a repeated
// keyed start of an existing run still answers) while running runs finish; enabling takes
// starts again; both are versions, and only editors (or admins) may.
#include <gmock/gmock.h>

#include "tests/engine/engine_fixture.h"

namespace assent::engine::engine_testing {
namespace {

using ::testing::HasSubstr;

std::string Flow(const std::string& message) {
  return R"({"editors": ["alice"], "viewers": ["vic"], "steps": [
    {"id": "review", "type": "approval", "message": ")" + message + R"("},
    {"id": "done", "type": "code", "lua": "return {ok = true}"}]})";
}

class WorkflowLifecycleTest : public EngineTest {
 protected:
  Result<WorkflowView> SetDisabled(const Principal& by, bool disabled) {
    return engine_->SetWorkflowDisabled(by, "ship", disabled);
  }
  Result<StartRunResult> StartShip(const std::string& key = "") {
    return Await<StartRunResult>([&](auto done) {
      engine_->StartRun(AsAdmin(StartRunCommand{"ship", {}, key}), done);
    });
  }
};

TEST_F(WorkflowLifecycleTest, VersionsAreListedNewestFirstAndRunsKeepTheirs) {
  ApplyWorkflow("ship", Flow("v1?"));
  std::string old_run = Start("ship", "{}");
  ApplyWorkflow("ship", Flow("v2?"));
  ApplyWorkflow("ship", Flow("v2?"));  // the same document: no new version
  auto versions = engine_->ListWorkflowVersions(kAdmin, "ship");
  ASSERT_TRUE(versions.ok()) << versions.status().ToString();
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].version, 2u);
  EXPECT_EQ((*versions)[1].version, 1u);
  EXPECT_EQ(engine_->ListWorkflowVersions(User("vic"), "ship")->size(), 2u);
  EXPECT_EQ(engine_->ListWorkflowVersions(User("eve"), "ship").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(engine_->ListWorkflowVersions(kAdmin, "nope").status().code(), StatusCode::kNotFound);

  Reopen();
  RunView run = Run(old_run);
  EXPECT_EQ(run.version, 1u);
  EXPECT_EQ(run.pending_approvals.at(0).message, "v1?");
  ASSERT_TRUE(DecideOn(run.pending_approvals.at(0).id, Decision::kApprove).ok());
  EXPECT_EQ(Run(old_run).status, RunStatus::kCompleted);
}

TEST_F(WorkflowLifecycleTest, DisabledRefusesNewStartsWhileRunningRunsFinish) {
  ApplyWorkflow("ship", Flow("go?"));
  auto keyed = StartShip("k-1");
  ASSERT_TRUE(keyed.ok()) << keyed.status().ToString();
  std::string approval_id = Run(keyed->run_id).pending_approvals.at(0).id;

  auto disabled = SetDisabled(User("alice"), true);
  ASSERT_TRUE(disabled.ok()) << disabled.status().ToString();
  EXPECT_TRUE(disabled->disabled);
  EXPECT_EQ(disabled->version, 2u);
  EXPECT_EQ(disabled->definition.at("disabled"), true);
  EXPECT_EQ(SetDisabled(User("alice"), true)->version, 2u);  // already: unchanged

  auto refused = StartShip();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("workflow 'ship' is disabled (version 2)"));
  auto repeated = StartShip("k-1");  // the run it started before is still its answer
  ASSERT_TRUE(repeated.ok()) << repeated.status().ToString();
  EXPECT_EQ(repeated->run_id, keyed->run_id);

  Reopen();  // durable: still disabled
  EXPECT_EQ(StartShip().status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(DecideOn(approval_id, Decision::kApprove).ok());
  EXPECT_EQ(Run(keyed->run_id).status, RunStatus::kCompleted);

  auto enabled = SetDisabled(User("alice"), false);
  ASSERT_TRUE(enabled.ok()) << enabled.status().ToString();
  EXPECT_FALSE(enabled->disabled);
  EXPECT_EQ(enabled->version, 3u);
  EXPECT_TRUE(StartShip().ok());
}

TEST_F(WorkflowLifecycleTest, OnlyEditorsDisableAndOthersLearnNothing) {
  ApplyWorkflow("ship", Flow("go?"));
  EXPECT_EQ(SetDisabled(User("vic"), true).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(SetDisabled(User("eve"), true).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->SetWorkflowDisabled(kAdmin, "nope", true).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(engine_->ListWorkflowVersions(kAdmin, "ship")->size(), 1u);  // nothing stored
  auto applied = engine_->ApplyWorkflow(
      kAdmin, "bad", json::parse(R"({"disabled": "yes", "steps": [{"id": "a", "type": "code",
                                     "lua": "return 1"}]})"));
  EXPECT_EQ(applied.status().message(), "'disabled' must be true or false");
}

}  // namespace
}  // namespace assent::engine::engine_testing
