// The engine's own boundary: whatever an embedding program hands it (values built in code, not
// parsed, can hold Infinity, NaN or bytes that are not UTF-8) and whatever its templates build is
// refused when stored as text it could not read back. Through the API such values cannot arrive
// (ParseUntrustedJson refuses them); an embedded engine has no such guard in front.
#include <cmath>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "tests/engine/engine_fixture.h"
#include "tests/support/http_target.h"

namespace assent::engine::engine_testing {
namespace {

using WritableJsonTest = EngineTest;

Result<StartRunResult> StartWith(Engine& engine, json::object input) {
  return Await<StartRunResult>([&](auto done) {
    engine.StartRun(AsAdmin(StartRunCommand{"invoice", std::move(input), ""}), done);
  });
}

TEST_F(WritableJsonTest, AnInputThatCouldNotBeReadBackIsRefused) {
  ApplyReviewFlow();
  auto infinite = StartWith(*engine_, {{"amount", std::numeric_limits<double>::infinity()}});
  EXPECT_EQ(infinite.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(infinite.status().message(), "input.amount is not a finite number");
  auto not_a_number = StartWith(*engine_, {{"x", {{"y", {1, std::nan("")}}}}});
  EXPECT_EQ(not_a_number.status().message(), "input.x.y[1] is not a finite number");
  auto bytes = StartWith(*engine_, {{"vendor", "AC\xFF"}});
  EXPECT_EQ(bytes.status().message(), "input.vendor is not valid UTF-8");
  auto listed = ListRunsAsAdmin(std::nullopt, 10);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty()) << "a refused start stores nothing";
}

TEST_F(WritableJsonTest, ADefinitionThatCouldNotBeReadBackIsRefused) {
  json::value definition = json::parse(
      R"({"steps": [{"id": "r", "type": "approval", "message": "m", "show": {"x": 1}}]})");
  definition.at("steps").at(0).at("show").at("x") = -std::numeric_limits<double>::infinity();
  auto applied = engine_->ApplyWorkflow(kAdmin, "inf", definition);
  EXPECT_EQ(applied.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(applied.status().message(), "definition.steps[0].show.x is not a finite number");
  EXPECT_EQ(engine_->GetWorkflow(kAdmin, "inf").status().code(), StatusCode::kNotFound);
}

// An input as deep as the API lets through, placed two levels down in `show`: the approval
// would be stored deeper than it can be read. The step fails and says why; the run stays
// readable.
TEST_F(WritableJsonTest, AShowNestedTooDeepToReadBackFailsItsStep) {
  ApplyWorkflow("deep", R"({"steps": [{"id": "review", "type": "approval", "message": "m",
                            "show": {"a": {"b": "{{input.deep}}"}}}]})");
  std::string deep = "1";
  for (int i = 0; i < 31; ++i) deep = "[" + deep + "]";
  std::string run_id = Start("deep", R"({"deep": )" + deep + "}");
  RunView run = Run(run_id);
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_NE(run.error.find("show.a.b"), std::string::npos) << run.error;
  EXPECT_NE(run.error.find("is nested too deeply"), std::string::npos) << run.error;
  EXPECT_TRUE(run.pending_approvals.empty());
}

// A downstream service's answer is stored as the step's output: one holding a number no double
// holds fails the step (not retried: the same answer would come back), instead of storing
// Infinity.
TEST_F(WritableJsonTest, AnHttpAnswerThatCouldNotBeStoredFailsItsStep) {
  testing::HttpTarget target([](const testing::ReceivedRequest&, size_t) {
    return testing::TargetResponse{200, R"({"balance": 1e400})"};
  });
  ApplyWorkflow("pay", R"({"steps": [{"id": "pay", "type": "http", "url": ")" +
                           target.url("/p") + R"("}]})");
  std::string run_id = Start("pay", "{}");
  ASSERT_TRUE(Eventually([&] { return Run(run_id).status == RunStatus::kFailed; }))
      << ToString(Run(run_id).status);
  EXPECT_NE(Run(run_id).error.find(
                "HTTP 200 response is not JSON we can store: number out of range"),
            std::string::npos)
      << Run(run_id).error;
  EXPECT_EQ(target.requests().size(), 1u);
}

}  // namespace
}  // namespace assent::engine::engine_testing
