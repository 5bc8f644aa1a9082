// Waiting for a run's result: StartRunCommand::wait and Engine::AwaitRun answer once the run
// has finished, or with the run as it stands when the wait runs out, from memory or the log,
// and never leave a caller unanswered (eviction, shutdown).
#include <chrono>
#include <string>

#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/internal/index_keys.h"
#include "engine/internal/run_txn.h"
#include "engine/internal/shard.h"
#include "tests/engine/engine_fixture.h"

namespace assent::engine {
namespace {

namespace json = boost::json;
using engine_testing::AsAdmin;
using engine_testing::kAdmin;
using engine_testing::ActorNamed;
using engine_testing::Await;
using engine_testing::EngineTest;
using engine_testing::Eventually;
using engine_testing::Outcome;
using ::testing::HasSubstr;

// Longer than any bounded wait of the fixture: a waiter with this wait can only be answered by
// its run finishing (or by shutdown), so an answer given for any other reason fails the test.
constexpr std::chrono::milliseconds kForever = std::chrono::hours(1);
// Runs out well within the fixture's bound: for the answer given when the wait is over.
constexpr std::chrono::milliseconds kShortWait{50};

// kReviewFlow: an invoice above 5000 waits for the approval "review".
constexpr int kSmall = 120;
constexpr int kLarge = 7200;

class AwaitRunTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    ApplyReviewFlow();
  }

  // Starts an invoice of `amount` with `wait`; the answer comes through the Outcome.
  Outcome<StartRunResult> StartAndWait(int amount, std::chrono::milliseconds wait,
                                       const std::string& key = "") {
    Outcome<StartRunResult> started;
    engine_->StartRun(AsAdmin(StartRunCommand{"invoice", Invoice(amount), key, wait}), started.Receiver());
    return started;
  }

  Outcome<RunView> AwaitRun(const std::string& run_id, std::chrono::milliseconds wait) {
    Outcome<RunView> answered;
    engine_->AwaitRun(kAdmin, run_id, wait, answered.Receiver());
    return answered;
  }

  // Starts an invoice of `amount` without a wait; its run id once the start is durable.
  std::string StartInvoice(int amount) {
    return Start("invoice", json::serialize(Invoice(amount)));
  }

  // The id of the only pending approval, once it is durable (bounded).
  std::string PendingApprovalId() {
    std::string id;
    EXPECT_TRUE(Eventually([&] {
      auto pending = ListApprovalsAsAdmin(ApprovalStatus::kPending, 10);
      if (pending.ok() && pending->size() == 1) id = (*pending)[0].id;
      return !id.empty();
    })) << "no approval was requested within 20 s";
    return id;
  }

  static json::object Invoice(int amount) {
    return json::object{{"invoice_id", "i" + std::to_string(amount)}, {"amount", amount},
                        {"vendor", "ACME"}};
  }
};

TEST_F(AwaitRunTest, StartWithWaitAnswersWithTheFinishedRun) {
  Result<StartRunResult> started = StartAndWait(kSmall, kForever).Get();
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  EXPECT_TRUE(started->created);
  ASSERT_TRUE(started->run.has_value());
  EXPECT_EQ(started->run->run_id, started->run_id);
  EXPECT_EQ(started->run->status, RunStatus::kCompleted);
  EXPECT_EQ(started->run->output, json::parse(R"({"payment_id":"pay-i120","approved_by":"auto"})"));
}

TEST_F(AwaitRunTest, StartWithWaitAnswersOnceTheApprovalIsDecided) {
  Outcome<StartRunResult> start = StartAndWait(kLarge, kForever);
  ASSERT_TRUE(DecideOn(PendingApprovalId(), Decision::kApprove).ok());

  Result<StartRunResult> started = start.Get();
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  ASSERT_TRUE(started->run.has_value());
  // An answer given before the decision would show the run waiting.
  EXPECT_EQ(started->run->status, RunStatus::kCompleted);
  EXPECT_EQ(started->run->output,
            json::parse(R"({"payment_id":"pay-i7200","approved_by":"alice"})"));
}

TEST_F(AwaitRunTest, StartWithWaitThatRunsOutAnswersWithTheWaitingRun) {
  Result<StartRunResult> started = StartAndWait(kLarge, kShortWait).Get();
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  ASSERT_TRUE(started->run.has_value());
  EXPECT_EQ(started->run->run_id, started->run_id);
  EXPECT_EQ(started->run->status, RunStatus::kWaiting);
  ASSERT_EQ(started->run->pending_approvals.size(), 1u);
  EXPECT_EQ(started->run->pending_approvals[0].message, "Pay 7200 to ACME?");
}

TEST_F(AwaitRunTest, RepeatedStartWithTheSameKeyAnswersWithTheSameRun) {
  Result<StartRunResult> first = StartAndWait(kSmall, kForever, "k-1").Get();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<StartRunResult> again = StartAndWait(kSmall, kForever, "k-1").Get();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->run_id, first->run_id);
  EXPECT_FALSE(again->created);
  ASSERT_TRUE(again->run.has_value());
  EXPECT_EQ(again->run->run_id, first->run_id);
  EXPECT_EQ(again->run->status, RunStatus::kCompleted);
}

// Run ids map to shards only for the shard count they were made with. After a restart with
// another count, a repeated keyed start must still wait on the shard that owns the run.
TEST_F(AwaitRunTest, RepeatedStartAfterTheShardCountChangedWaitsOnTheRunsOwner) {
  constexpr size_t kShardsAfter = 4;
  Reopen({.shards = 1});
  std::string key, run_id;
  for (int i = 0; i < 50 && key.empty(); ++i) {  // a key whose shard is not the run's owner
    std::string candidate = "k-" + std::to_string(i);
    Result<StartRunResult> started = StartAndWait(kLarge, kShortWait, candidate).Get();
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    if (ShardOf(StartKey("invoice", candidate), kShardsAfter) !=
        ShardOf(started->run_id, kShardsAfter)) {
      key = candidate;
      run_id = started->run_id;
    }
  }
  ASSERT_FALSE(key.empty()) << "every key hashed to its run's shard";
  Reopen({.shards = kShardsAfter});

  Outcome<StartRunResult> again = StartAndWait(kLarge, kForever, key);
  RunView waiting = Run(run_id);
  ASSERT_EQ(waiting.pending_approvals.size(), 1u);
  auto decided = DecideOn(waiting.pending_approvals[0].id, Decision::kApprove);
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  Result<StartRunResult> answer = again.Get();
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->run_id, run_id);
  EXPECT_FALSE(answer->created);
  ASSERT_TRUE(answer->run.has_value());
  EXPECT_EQ(answer->run->status, RunStatus::kCompleted);
}

TEST_F(AwaitRunTest, FinishedRunIsAnsweredAtOnceFromTheLog) {
  std::string run_id = StartInvoice(kSmall);  // finished, so no longer in memory
  Result<RunView> run = AwaitRun(run_id, kForever).Get();
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->run_id, run_id);
  EXPECT_EQ(run->status, RunStatus::kCompleted);
}

TEST_F(AwaitRunTest, UnknownRunIsNotFound) {
  EXPECT_EQ(AwaitRun("run_nope", kForever).Get().status().code(), StatusCode::kNotFound);
}

TEST_F(AwaitRunTest, WaitThatRunsOutAnswersWithTheWaitingRun) {
  std::string run_id = StartInvoice(kLarge);
  Result<RunView> run = AwaitRun(run_id, kShortWait).Get();
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->status, RunStatus::kWaiting);
  EXPECT_EQ(run->pending_approvals.size(), 1u);
}

TEST_F(AwaitRunTest, EveryWaiterIsAnsweredWithTheApprovedRun) {
  std::string run_id = StartInvoice(kLarge);
  Outcome<RunView> first = AwaitRun(run_id, kForever);
  Outcome<RunView> second = AwaitRun(run_id, kForever);
  // Commands on one run are handled in order: both waiters are filed before the decision.
  ASSERT_TRUE(DecideOn(PendingApprovalId(), Decision::kApprove).ok());
  for (Outcome<RunView>* waiter : {&first, &second}) {
    Result<RunView> run = waiter->Get();
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    EXPECT_EQ(run->status, RunStatus::kCompleted);
    EXPECT_EQ(run->output, json::parse(R"({"payment_id":"pay-i7200","approved_by":"alice"})"));
  }
}

TEST_F(AwaitRunTest, RejectionAnswersWithTheFailedRun) {
  std::string run_id = StartInvoice(kLarge);
  Outcome<RunView> waiter = AwaitRun(run_id, kForever);
  ASSERT_TRUE(DecideOn(PendingApprovalId(), Decision::kReject, "not our vendor").ok());
  Result<RunView> run = waiter.Get();
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->status, RunStatus::kFailed);
  EXPECT_THAT(run->error, HasSubstr("not our vendor"));
}

TEST_F(AwaitRunTest, CancellationAnswersWithTheCancelledRun) {
  std::string run_id = StartInvoice(kLarge);
  Outcome<RunView> waiter = AwaitRun(run_id, kForever);
  auto cancelled = Await<RunView>([&](auto done) {
    engine_->Cancel(CancelCommand{run_id, ActorNamed("bob"), "duplicate"}, done);
  });
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().ToString();
  Result<RunView> run = waiter.Get();
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->status, RunStatus::kCancelled);
  EXPECT_EQ(run->error, cancelled->error);
}

// With no waiting run cached, the run leaves memory as soon as it is idle: its waiters must
// not go with it.
TEST_F(AwaitRunTest, WaiterOfAnEvictedRunIsAnsweredWhenTheRunIsApproved) {
  Reopen(EngineOptions{.max_cached_waiting_runs = 0});
  std::string run_id = StartInvoice(kLarge);
  Outcome<RunView> waiter = AwaitRun(run_id, kForever);
  ASSERT_TRUE(DecideOn(PendingApprovalId(), Decision::kApprove).ok());
  Result<RunView> run = waiter.Get();
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->status, RunStatus::kCompleted);
}

TEST_F(AwaitRunTest, WaitThatRunsOutOnAnEvictedRunAnswersFromTheLog) {
  Reopen(EngineOptions{.max_cached_waiting_runs = 0});
  std::string run_id = StartInvoice(kLarge);
  Result<RunView> run = AwaitRun(run_id, kShortWait).Get();
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->run_id, run_id);
  EXPECT_EQ(run->status, RunStatus::kWaiting);
}

TEST_F(AwaitRunTest, ShutdownAnswersPendingWaitersWithTheRunAsItStands) {
  Outcome<StartRunResult> start = StartAndWait(kLarge, kForever);
  Outcome<RunView> waiter = AwaitRun(StartInvoice(kLarge), kForever);
  engine_->Shutdown();  // lets accepted commands run before it stops: both waiters are filed

  Result<StartRunResult> started = start.Get();
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  ASSERT_TRUE(started->run.has_value());
  EXPECT_EQ(started->run->status, RunStatus::kWaiting);
  Result<RunView> run = waiter.Get();
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->status, RunStatus::kWaiting);
}

}  // namespace
}  // namespace assent::engine
