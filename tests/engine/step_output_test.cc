// What a code step returns is what the run records, reads back and shows reviewers, or the step
// fails saying why (issue 8, defect 5: deep results came back as strings, a `show` built from
// them as {}, and the next template said "not found"). Also the CPU budget of code
// steps as the engine applies it. Every run here also passes the replay-equality check.
#include <string>

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "tests/engine/engine_fixture.h"

namespace assent::engine {
namespace {

namespace json = boost::json;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using engine_testing::AsAdmin;
using engine_testing::kAdmin;
using engine_testing::EngineTest;

// A code step `deep` returning `levels` nested tables around "leaf".
std::string DeepFlow(int levels, const std::string& rest) {
  return R"({"steps": [{"id": "deep", "type": "code", "lua": "local t = 'leaf' for i = 1, )" +
         std::to_string(levels) + R"( do t = {t} end return t"})" + rest + "]}";
}

json::value Nested(int levels) {
  json::value value = "leaf";
  for (int i = 0; i < levels; ++i) value = json::array{std::move(value)};
  return value;
}

TEST_F(EngineTest, AResultDeeperThanJsonReadsBackFailsTheStep) {
  ApplyWorkflow("deep", DeepFlow(40, R"j(, {"id": "next", "type": "code",
      "lua": "return type(steps.deep)"})j"));
  RunView run = Run(Start("deep", "{}"));
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_THAT(run.error, HasSubstr("step 'deep' failed"));
  EXPECT_THAT(run.error, HasSubstr("nested deeper than 32 levels"));
  EXPECT_FALSE(run.steps.contains("deep"));
}

// 32 levels is the limit: the output reads back as itself, also from the snapshot that holds it
// one level down in `steps` (read with the default depth of 32, it was a corrupt snapshot).
TEST_F(EngineTest, AResultAtTheDepthLimitKeepsItsType) {
  std::string rest = R"j(, {"id": "kind", "type": "code", "lua": "return type(steps.deep)"})j";
  for (int i = 0; i < 70; ++i) {  // past a snapshot
    rest += R"(, {"id": "s)" + std::to_string(i) + R"(", "type": "code", "lua": "return 1"})";
  }
  rest += R"(, {"id": "review", "type": "approval", "message": "ok?",
                "show": {"kind": "{{steps.kind}}"}})";
  ApplyWorkflow("deep", DeepFlow(32, rest));
  const std::string run_id = Start("deep", "{}");
  RunView run = Run(run_id);
  ASSERT_EQ(run.status, RunStatus::kWaiting) << run.error;
  EXPECT_EQ(run.steps.at("deep"), Nested(32));
  EXPECT_EQ(run.steps.at("kind"), json::value("table"));

  Reopen();  // the run is read from its snapshot and the events after it
  run = Run(run_id);
  EXPECT_EQ(run.steps.at("deep"), Nested(32));
  ASSERT_EQ(run.pending_approvals.size(), 1u);
  EXPECT_EQ(run.pending_approvals[0].show.at("kind"), json::value("table"));
}

// The engine hands each payload it serializes (input, outputs, show) to the fold rather than
// parsing it back (run_state.h Apply): numbers must come out as the log reads them, which the
// replay check of every run here compares field by field.
TEST_F(EngineTest, NumbersInPayloadsAreWhatTheLogReadsBack) {
  ApplyWorkflow("numbers", R"({"steps": [
      {"id": "calc", "type": "code",
       "lua": "return {sum = 0.1 + 0.2, tiny = 5e-324, neg = -0.0, int = 9007199254740993, big = input.big, f = input.f}"},
      {"id": "review", "type": "approval", "message": "{{steps.calc.sum}}",
       "show": {"sum": "{{steps.calc.sum}}", "big": "{{input.big}}", "literal": 1.5}}]})");
  RunView run = Run(Start("numbers", R"({"big": 18446744073709551615, "f": 2.5, "i": -3})"));
  ASSERT_EQ(run.status, RunStatus::kWaiting) << run.error;
  const json::value& calc = run.steps.at("calc");
  EXPECT_EQ(calc.at("sum"), json::value(0.1 + 0.2));
  EXPECT_EQ(calc.at("int"), json::value(9007199254740993));
  EXPECT_TRUE(calc.at("big").is_double());  // Lua has no unsigned integers
  EXPECT_EQ(run.input.at("big"), json::value(18446744073709551615ULL));
  ASSERT_EQ(run.pending_approvals.size(), 1u);
  EXPECT_EQ(run.pending_approvals[0].show.at("literal"), json::value(1.5));
}

// A `show` that puts such a result deeper than 32 levels fails its step naming the field; it
// used to become {}.
TEST_F(EngineTest, AShowBuiltFromADeepResultFailsInsteadOfBecomingEmpty) {
  ApplyWorkflow("deep", DeepFlow(32, R"(, {"id": "review", "type": "approval", "message": "ok?",
                                          "show": {"deep": "{{steps.deep}}"}})"));
  RunView run = Run(Start("deep", "{}"));
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_THAT(run.error, HasSubstr("step 'review' failed"));
  EXPECT_THAT(run.error, HasSubstr("show.deep"));
  EXPECT_TRUE(run.pending_approvals.empty());
}

TEST_F(EngineTest, ResultsJsonCannotHoldFailTheStepSayingWhy) {
  const std::pair<const char*, const char*> cases[] = {
      {"return {name = 'caf\\xe9'}", "not UTF-8"},
      {"return {x = 1/0}", "has no JSON form"},
      {"return {x = 0/0}", "has no JSON form"},
      {"return {x = -math.huge}", "has no JSON form"},
      {"local t = {} t.me = t return t", "contains itself"},
      {"return {1, 2, x = 3}", "mixes integer and string keys"},
      {"return {[1] = 1, [3] = 3}", "not a sequence"},
      {"return {[2.5] = 1}", "non-integer number key"},
      {"return {f = print or tostring}", "function value has no JSON form"},
  };
  for (const auto& [lua, why] : cases) {
    json::object definition{{"steps", json::array{json::object{
                                          {"id", "out"}, {"type", "code"}, {"lua", lua}}}}};
    ASSERT_TRUE(engine_->ApplyWorkflow(kAdmin, "bad", definition).ok()) << lua;
    RunView run = Run(Start("bad", "{}"));
    EXPECT_EQ(run.status, RunStatus::kFailed) << lua;
    EXPECT_THAT(run.error, HasSubstr("step 'out' failed")) << lua;
    EXPECT_THAT(run.error, HasSubstr(why)) << lua;
  }
}

TEST_F(EngineTest, ACodeStepPastItsCpuBudgetFailsAndOthersRun) {
  ApplyWorkflow("stall", R"j({"steps": [{"id": "scan", "type": "code",
      "lua": "return string.find(string.rep('a', 100000), '.-.-.-.-.-.-b')"}]})j");
  ApplyWorkflow("quick", R"({"steps": [{"id": "one", "type": "code", "lua": "return 1"}]})");
  RunView stalled = Run(Start("stall", "{}"));
  EXPECT_EQ(stalled.status, RunStatus::kFailed);
  // Under the budget the steps a run takes back to back share (Advance's), not one of its own.
  EXPECT_THAT(stalled.error,
              HasSubstr("step 'scan' failed: code step exceeded its CPU budget of 100 ms, shared "
                        "by the steps run since the run's last pause"));
  RunView quick = Run(Start("quick", "{}"));
  EXPECT_EQ(quick.status, RunStatus::kCompleted);
}

// Each visit stays within the step budget, but a hundred of them back to back would hold the
// shard for a hundred budgets.
TEST_F(EngineTest, StepsRunBackToBackShareTheCpuBudget) {
  // A loop with a way to "end" it never takes (one with none is refused when applied). Three
  // code steps to its condition, so the budget runs out well before the hundred-step limit.
  const std::string sum =
      R"("type": "code", "lua": "local s = 0 for i = 1, 300000 do s = s + i end return s")";
  ApplyWorkflow("spin", R"({"steps": [{"id": "a", )" + sum + R"(}, {"id": "b", )" + sum +
                            R"(}, {"id": "c", )" + sum + R"(},
      {"id": "again", "type": "condition", "if": "true", "then": "a", "else": "end"}]})");
  RunView run = Run(Start("spin", "{}"));
  EXPECT_EQ(run.status, RunStatus::kFailed);
  // The budget runs out inside a step's Lua (which stops at once) or between two steps.
  EXPECT_THAT(run.error,
              AnyOf(HasSubstr("code step exceeded its CPU budget of 100 ms, shared by the steps "
                              "run since the run's last pause"),
                    HasSubstr("took more than the CPU budget of 100 ms without a pause")));
}

}  // namespace
}  // namespace assent::engine
