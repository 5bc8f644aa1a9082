// The engine over a log that refuses writes for a while (a full disk: MemEventLog::RefuseWrites):
// commands are answered kUnavailable and the engine stays up, reads go on, one line is logged
// each way, and runs whose own progress was refused carry on once writes are taken again.
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "tests/engine/engine_fixture.h"
#include "tests/support/http_target.h"

namespace assent::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using engine_testing::AsAdmin;
using engine_testing::kAdmin;
using engine_testing::Await;
using engine_testing::EngineTest;
using engine_testing::Eventually;

const Status kDiskFull = Status::Unavailable("the disk is full (test)");

// Keeps the event and level of each line at info or above.
class LineLogger final : public Logger {
 public:
  bool Enabled(LogLevel level) const override { return level >= LogLevel::kInfo; }
  void Write(LogLevel level, std::string_view event, std::span<const LogField>) override {
    std::lock_guard lock(mu_);
    lines_.push_back(std::string(ToString(level)) + " " + std::string(event));
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mu_);
    return lines_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

class StorageRefusalTest : public EngineTest {
 protected:
  void ReopenWatched() {
    Reopen(EngineOptions{.http_max_attempts = 3,
                         .http_retry_backoff_ms = 1,
                         .on_storage_failure = [this](const Status&) { ++exits_; },
                         .storage_retry_interval = std::chrono::milliseconds(5),
                         .logger = &logger_});
  }

  Result<StartRunResult> TryStart(const std::string& workflow, const std::string& input) {
    return Await<StartRunResult>([&](auto done) {
      engine_->StartRun(
          AsAdmin(StartRunCommand{workflow, boost::json::parse(input).as_object(), ""}), done);
    });
  }

  LineLogger logger_;
  std::atomic<int> exits_{0};
};

TEST_F(StorageRefusalTest, RefusedWritesAreAnsweredUnavailableAndTakenAgainLater) {
  ApplyReviewFlow();
  ReopenWatched();
  std::string waiting = Start("invoice", R"({"invoice_id": "i1", "amount": 9000, "vendor": "A"})");

  log_.RefuseWrites(kDiskFull);
  auto refused = TryStart("invoice", R"({"invoice_id": "i2", "amount": 10, "vendor": "A"})");
  ASSERT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(), HasSubstr("disk is full"));
  std::string approval_id = Run(waiting).pending_approvals.at(0).id;
  EXPECT_EQ(DecideOn(approval_id, Decision::kApprove).status().code(), StatusCode::kUnavailable);
  auto applied = engine_->ApplyWorkflow(kAdmin, "other", boost::json::parse(engine_testing::kReviewFlow));
  EXPECT_EQ(applied.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(engine_->Health().code(), StatusCode::kUnavailable);
  // Reads still work, and what was refused left nothing behind.
  EXPECT_EQ(Run(waiting).status, RunStatus::kWaiting);
  EXPECT_EQ(ListRunsAsAdmin(std::nullopt, 100)->size(), 1u);

  log_.AcceptWrites();
  EXPECT_TRUE(engine_->Health().ok());
  ASSERT_TRUE(DecideOn(approval_id, Decision::kApprove).ok());
  EXPECT_EQ(Run(waiting).status, RunStatus::kCompleted);
  Start("invoice", R"({"invoice_id": "i3", "amount": 10, "vendor": "A"})");

  EXPECT_EQ(exits_.load(), 0) << "a refusal is not a storage failure";
  EXPECT_THAT(logger_.lines(), ElementsAre("error storage refuses writes; serving reads, retrying",
                                           "info storage takes writes again"));
}

// An http step's outcome arrives while the disk is full: it cannot be recorded, so the run is
// as the log has it (the step started). Once writes are taken again the run goes on as a
// restart would run it: the step runs again, with the same idempotency key.
TEST_F(StorageRefusalTest, ARunWhoseProgressWasRefusedCarriesOnOnceWritesAreTaken) {
  testing::HttpTarget target([this](const testing::ReceivedRequest&, size_t index) {
    if (index == 0) log_.RefuseWrites(kDiskFull);  // before the answer: its outcome is refused
    return testing::TargetResponse{200, R"({"payment_id": "p-1"})"};
  });
  ApplyWorkflow("pay", R"({"steps": [{"id": "pay", "type": "http", "url": ")" +
                           target.url("/payments") + R"("}]})");
  ReopenWatched();
  std::string run_id = Start("pay", "{}");

  ASSERT_TRUE(Eventually([&] { return !logger_.lines().empty(); }))
      << "the refused outcome was never reported";
  EXPECT_EQ(Run(run_id).status, RunStatus::kRunning);
  EXPECT_EQ(target.requests().size(), 1u);

  log_.AcceptWrites();
  ASSERT_TRUE(Eventually([&] { return Run(run_id).status == RunStatus::kCompleted; }))
      << "status " << ToString(Run(run_id).status) << " " << Run(run_id).error;
  auto requests = target.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].headers.at("idempotency-key"), requests[1].headers.at("idempotency-key"));
  EXPECT_EQ(exits_.load(), 0);
}

TEST_F(StorageRefusalTest, AFailedWriteIsStillAFailureForGood) {
  ApplyReviewFlow();
  ReopenWatched();
  log_.FailNextWrite(Status::IOError("disk on fire"));
  EXPECT_EQ(TryStart("invoice", R"({"amount": 1})").status().code(), StatusCode::kIOError);
  EXPECT_EQ(exits_.load(), 1);
  EXPECT_THAT(engine_->Health().message(), HasSubstr("restart to recover"));
}

}  // namespace
}  // namespace assent::engine
