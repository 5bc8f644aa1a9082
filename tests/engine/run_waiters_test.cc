// RunWaiters: each waiter is answered exactly once: with the finished run, or with the run as
// it stands when its wait runs out, or at shutdown.
#include "engine/internal/run_waiters.h"

#include <gtest/gtest.h>

namespace assent::engine {
namespace {

constexpr auto kBound = std::chrono::seconds(20);
constexpr auto kForever = std::chrono::hours(1);

class RunWaitersTest : public ::testing::Test {
 protected:
  boost::asio::io_context io_;  // first: the waiters' timers run on it; run by the test thread
  Mailbox mailbox_{io_, [] { return Status::Ok(); }};
  // Answers "as it stands" with a running run, and counts how often it was asked.
  RunWaiters waiters_{mailbox_, [this](const std::string& run_id, Callback<RunView> done) {
                        ++asked_current_;
                        RunView view;
                        view.run_id = run_id;
                        view.status = RunStatus::kWaiting;
                        done(std::move(view));
                      }};
  Callback<RunView> Record() {
    return [this](Result<RunView> view) { answers_.push_back(std::move(view).value()); };
  }

  int asked_current_ = 0;
  std::vector<RunView> answers_;
};

TEST_F(RunWaitersTest, FinishingARunAnswersEveryoneWaitingForIt) {
  waiters_.Add("r1", kForever, Record());
  waiters_.Add("r1", kForever, Record());
  waiters_.Add("r2", kForever, Record());
  RunState finished;
  finished.run_id = "r1";
  finished.status = RunStatus::kCompleted;
  waiters_.Finished(finished);
  ASSERT_EQ(answers_.size(), 2u);
  for (const RunView& view : answers_) EXPECT_EQ(view.status, RunStatus::kCompleted);
  io_.poll();  // the answered waiters' timers were cancelled: nothing more comes
  EXPECT_EQ(answers_.size(), 2u);
  EXPECT_EQ(asked_current_, 0);
}

TEST_F(RunWaitersTest, AWaitThatRunsOutIsAnsweredWithTheRunAsItStands) {
  waiters_.Add("r1", std::chrono::milliseconds(1), Record());
  auto deadline = std::chrono::steady_clock::now() + kBound;
  while (answers_.empty() && std::chrono::steady_clock::now() < deadline) {
    io_.run_one_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(answers_.size(), 1u);
  EXPECT_EQ(answers_[0].status, RunStatus::kWaiting);
  EXPECT_EQ(asked_current_, 1);
  RunState finished;
  finished.run_id = "r1";
  finished.status = RunStatus::kCompleted;
  waiters_.Finished(finished);  // already answered: not again
  EXPECT_EQ(answers_.size(), 1u);
}

TEST_F(RunWaitersTest, AnswerAllLeavesNobodyWaiting) {
  waiters_.Add("r1", kForever, Record());
  waiters_.Add("r2", kForever, Record());
  waiters_.AnswerAll();
  EXPECT_EQ(answers_.size(), 2u);
  EXPECT_EQ(asked_current_, 2);
}

}  // namespace
}  // namespace assent::engine
