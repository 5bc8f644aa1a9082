// Mailbox: jobs run in order on the shard's strand; commands are counted from Accept until
// their job runs, so Drain waits for every one the engine took; a refused command is not
// counted; Stop's last job is the last one that does anything.
#include "engine/internal/mailbox.h"

#include <atomic>
#include <future>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/io_threads.h"

namespace assent::engine {
namespace {

constexpr auto kBound = std::chrono::seconds(20);

// Two threads, as in the server: the strand keeps the shard's work on one of them at a time.
class MailboxTest : public ::testing::Test {
 protected:
  IoThreads threads_{2};
};

TEST_F(MailboxTest, RunsPostedJobsInOrderOffTheCallersThread) {
  Mailbox mailbox(threads_.io(), [] { return Status::Ok(); });
  std::vector<int> order;
  std::thread::id worker;
  std::promise<void> done;
  for (int i = 0; i < 3; ++i) mailbox.Post([&, i] { order.push_back(i); });
  mailbox.Post([&] {
    worker = std::this_thread::get_id();
    done.set_value();
  });
  ASSERT_EQ(done.get_future().wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  EXPECT_NE(worker, std::this_thread::get_id());
}

TEST_F(MailboxTest, RefusedCommandsAreNotCounted) {
  std::atomic<bool> refusing{true};
  Mailbox mailbox(threads_.io(), [&] {
    return refusing ? Status::Unavailable("stopping") : Status::Ok();
  });
  EXPECT_EQ(mailbox.Accept().code(), StatusCode::kUnavailable);
  // Nothing was counted, so Drain finds the mailbox idle at once.
  EXPECT_TRUE(mailbox.Drain([] { return true; }, kBound));
}

TEST_F(MailboxTest, DrainWaitsForAcceptedCommandsAndTheIdleCondition) {
  Mailbox mailbox(threads_.io(), [] { return Status::Ok(); });
  // Hold the thread so the accepted job cannot run yet.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  mailbox.Post([released] { released.wait(); });
  ASSERT_TRUE(mailbox.Accept().ok());
  bool ran = false;
  mailbox.PostAccepted([&] { ran = true; }, [](Status) { FAIL() << "refused"; });

  std::atomic<bool> busy{true};
  auto drained = std::async(std::launch::async, [&] {
    return mailbox.Drain([&] { return !busy.load(); }, kBound);
  });
  EXPECT_EQ(drained.wait_for(std::chrono::milliseconds(20)), std::future_status::timeout);
  release.set_value();
  busy = false;
  mailbox.Notify();
  ASSERT_EQ(drained.wait_for(kBound), std::future_status::ready);
  EXPECT_TRUE(drained.get());
  EXPECT_TRUE(ran);
}

TEST_F(MailboxTest, DrainGivesUpAfterItsLimit) {
  Mailbox mailbox(threads_.io(), [] { return Status::Ok(); });
  EXPECT_FALSE(mailbox.Drain([] { return false; }, std::chrono::milliseconds(30)));
}

TEST_F(MailboxTest, StopRunsTheLastJobAndNothingQueuedBehindIt) {
  Mailbox mailbox(threads_.io(), [] { return Status::Ok(); });
  bool last_ran = false;
  std::atomic<bool> late_ran{false};
  mailbox.Stop([&] {
    last_ran = true;
    mailbox.Post([&] { late_ran = true; });  // queued behind the last job
  });
  EXPECT_TRUE(last_ran);
  // A sentinel queued behind the late job on the same strand: once it has run, so has (or
  // would have) the late job.
  std::promise<void> sentinel;
  boost::asio::post(mailbox.executor(), [&] { sentinel.set_value(); });
  ASSERT_EQ(sentinel.get_future().wait_for(kBound), std::future_status::ready);
  EXPECT_FALSE(late_ran);
  mailbox.Stop();  // idempotent
}

TEST_F(MailboxTest, ACommandThatCouldNotRunBeforeTheStopIsRefusedNotDropped) {
  Mailbox mailbox(threads_.io(), [] { return Status::Ok(); });
  std::promise<Status> answered;
  mailbox.Stop([&] {
    // Accepted while the shard is stopping (a drain that gave up): queued behind the last job.
    ASSERT_TRUE(mailbox.Accept().ok());
    mailbox.PostAccepted([] { FAIL() << "ran after the stop"; },
                         [&](Status status) { answered.set_value(status); });
  });
  auto future = answered.get_future();
  ASSERT_EQ(future.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(future.get().code(), StatusCode::kUnavailable);
}

TEST_F(MailboxTest, ACommandFromInsideTheStrandIsQueuedNotNested) {
  Mailbox mailbox(threads_.io(), [] { return Status::Ok(); });
  std::vector<std::string> order;
  std::promise<void> done;
  mailbox.Post([&] {
    ASSERT_TRUE(mailbox.Accept().ok());
    mailbox.PostAccepted([&] {
      order.push_back("inner");
      done.set_value();
    }, [](Status) {});
    order.push_back("outer finished");
  });
  ASSERT_EQ(done.get_future().wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(order, (std::vector<std::string>{"outer finished", "inner"}));
}

}  // namespace
}  // namespace assent::engine
