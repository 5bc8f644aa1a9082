// EffectRunner: from a run's durable state it starts what the state calls for (an HTTP call,
// the next step, a retry recorded before retry timers); every outcome comes
// back as a decider on the run, never as a change on the side.
#include "engine/internal/effect_runner.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "engine/internal/definition.h"
#include "engine/internal/lua_sandbox.h"
#include "schemas/event_generated.h"
#include "tests/support/http_target.h"

namespace assent::engine {
namespace {

constexpr auto kBound = std::chrono::seconds(20);

class EffectRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto parsed = ParseDefinition("wf", boost::json::parse(R"({"steps": [
      {"id": "call", "type": "http", "method": "POST", "url": ")" + target_.url("/hook") + R"(",
       "body": {"run": "{{input.tag}}"}},
      {"id": "after", "type": "code", "lua": "return 1"}]})"));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    definition_ = std::move(parsed).value();
    // A run whose http step has started: the state the runner sees after that commit.
    RunTxn txn = RunTxn::NewRun("r1", state_, 1000);
    fb::RunStartedT started;
    started.workflow = "wf";
    started.version = 1;
    started.input = R"({"tag": "t1"})";
    txn.Emit(std::move(started));
    fb::StepStartedT step;
    step.step_id = "call";
    step.attempt = 1;
    txn.Emit(std::move(step));
  }

  // Runs the io_context until the runner has handed over a decider (bounded).
  void RunUntilExecuted(size_t count) {
    auto deadline = std::chrono::steady_clock::now() + kBound;
    while (executed_.size() < count && std::chrono::steady_clock::now() < deadline) {
      io_.run_one_for(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(executed_.size(), count) << "the runner handed over no decider within 20 s";
  }

  // The events the i-th decider emits on (a copy of) the run.
  std::vector<fb::Body> Emitted(size_t i) {
    RunState copy = state_;
    RunTxn txn(copy, 2000);
    executed_.at(i)(txn, StepContext{*definition_, lua_, options_});
    std::vector<fb::Body> types;
    for (const auto& record : txn.Finish().records) {
      types.push_back(fb::GetEvent(record.bytes.data())->body_type());
    }
    return types;
  }

  testing::HttpTarget target_{[](const testing::ReceivedRequest&, size_t) {
    return testing::TargetResponse{200, R"({"ok": true})"};
  }};
  std::shared_ptr<const WorkflowDefinition> definition_;
  RunState state_;
  EngineOptions options_{.http_max_attempts = 3, .http_retry_backoff_ms = 1};
  LuaSandbox lua_{LuaLimits{1'000'000, 32u << 20}};
  boost::asio::io_context io_;  // run by the test's own thread
  Mailbox mailbox_{io_, [] { return Status::Ok(); }};
  std::vector<EffectRunner::Decider> executed_;
  std::shared_ptr<HttpPool> http_pool_ = std::make_shared<HttpPool>(io_, HttpPoolOptions{});
  EffectRunner runner_{mailbox_, options_, http_pool_, [this](const std::string& run_id,
                                                  EffectRunner::Decider d) {
    EXPECT_EQ(run_id, "r1");
    executed_.push_back(std::move(d));
  }};
};

TEST_F(EffectRunnerTest, AnInFlightHttpStepIsCalledOnceAndItsOutcomeComesBackAsADecider) {
  runner_.Reconcile(state_, *definition_);
  runner_.Reconcile(state_, *definition_);  // already under way: not called twice
  EXPECT_TRUE(runner_.Busy("r1"));
  RunUntilExecuted(1);
  // The outcome's decider has not run yet (it waits behind a commit of the run, say a
  // comment): that commit landing must not start the call again.
  EXPECT_TRUE(runner_.Busy("r1"));
  runner_.Reconcile(state_, *definition_);
  io_.poll();
  EXPECT_EQ(target_.requests().size(), 1u);
  ASSERT_EQ(target_.requests().size(), 1u);
  EXPECT_EQ(target_.requests()[0].headers.at("idempotency-key"), "r1/call/2");
  EXPECT_EQ(Emitted(0), (std::vector<fb::Body>{fb::Body::StepCompleted, fb::Body::StepCompleted,
                                               fb::Body::RunCompleted}));
  EXPECT_FALSE(runner_.Busy("r1")) << "settled once its outcome was recorded";
}

TEST_F(EffectRunnerTest, AWaitingRetryIsLeftToItsDurableTimer) {
  RunTxn txn(state_, 1500);
  fb::StepFailedT failed;
  failed.step_id = "call";
  failed.attempt = 1;
  failed.error = "HTTP 503";
  failed.will_retry = true;
  failed.retry_at_ms = 2500;
  txn.Emit(std::move(failed));
  runner_.Reconcile(state_, *definition_);
  runner_.Resume(state_, *definition_);
  EXPECT_FALSE(runner_.Busy("r1"));
  io_.poll();
  EXPECT_TRUE(executed_.empty()) << "RunTimers starts the next attempt when its time comes";
  EXPECT_TRUE(target_.requests().empty());
}

TEST_F(EffectRunnerTest, ARetryRecordedBeforeRetryTimersStartsAtOnce) {
  RunTxn txn(state_, 1500);
  fb::StepFailedT failed;
  failed.step_id = "call";
  failed.attempt = 1;
  failed.error = "HTTP 503";
  failed.will_retry = true;  // and no retry_at_ms, as such events were written
  txn.Emit(std::move(failed));
  runner_.Reconcile(state_, *definition_);
  ASSERT_EQ(executed_.size(), 1u);
  EXPECT_EQ(Emitted(0), (std::vector<fb::Body>{fb::Body::StepStarted}));
  EXPECT_TRUE(target_.requests().empty());
}

TEST_F(EffectRunnerTest, ResumingAStepThatNeverFinishedRunsItAgainAsANewAttempt) {
  runner_.Resume(state_, *definition_);
  ASSERT_EQ(executed_.size(), 1u);
  EXPECT_EQ(Emitted(0), (std::vector<fb::Body>{fb::Body::StepStarted}));
  EXPECT_TRUE(target_.requests().empty());
}

TEST_F(EffectRunnerTest, ARunBetweenStepsCarriesOn) {
  RunState between;
  RunTxn txn = RunTxn::NewRun("r1", between, 1000);
  fb::RunStartedT started;
  started.workflow = "wf";
  txn.Emit(std::move(started));
  fb::StepCompletedT completed;
  completed.step_id = "call";
  completed.output = "{}";
  completed.next = "after";
  txn.Emit(std::move(completed));
  runner_.Reconcile(between, *definition_);
  ASSERT_EQ(executed_.size(), 1u);
  EXPECT_FALSE(runner_.Busy("r1"));
  state_ = between;
  EXPECT_EQ(Emitted(0), (std::vector<fb::Body>{fb::Body::StepCompleted, fb::Body::RunCompleted}));
}

}  // namespace
}  // namespace assent::engine
