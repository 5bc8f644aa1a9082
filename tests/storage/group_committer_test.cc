#include "storage/group_committer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tests/storage/test_events.h"

namespace assent::storage {
namespace {

using testing::Countdown;
using testing::kWaitTimeout;
using testing::MakeBatch;

// A write function that records each group and can hold the first write until the test has
// queued more, which makes grouping deterministic: while it is held, submissions pile up.
class FakeWriter {
 public:
  GroupCommitter::WriteFn Fn() {
    return [this](std::vector<AppendBatch>& group, std::optional<uint64_t>) {
      return Write(group);
    };
  }

  // Makes the first write wait for Release.
  void HoldFirstWrite() { hold_ = true; }
  // Waits until a held write has started.
  bool WaitUntilHeld() {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, kWaitTimeout, [this] { return held_; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = false;
    changed_.notify_all();
  }
  void FailWrites(Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    result_ = std::move(status);
  }
  std::vector<size_t> group_sizes() {
    std::lock_guard<std::mutex> lock(mu_);
    return group_sizes_;
  }
  // Seqs of the run "r" in the order they reached the write function.
  std::vector<uint64_t> written() {
    std::lock_guard<std::mutex> lock(mu_);
    return written_;
  }

 private:
  Status Write(std::vector<AppendBatch>& group) {
    std::unique_lock<std::mutex> lock(mu_);
    held_ = hold_;
    changed_.notify_all();
    EXPECT_TRUE(changed_.wait_for(lock, kWaitTimeout, [this] { return !hold_; }))
        << "the held write was never released";
    group_sizes_.push_back(group.size());
    for (const AppendBatch& batch : group) {
      for (const Record& record : batch.records) written_.push_back(record.seq);
    }
    return result_;
  }

  std::mutex mu_;
  std::condition_variable changed_;
  bool hold_ = false;
  bool held_ = false;
  Status result_;
  std::vector<size_t> group_sizes_;
  std::vector<uint64_t> written_;
};

// Collects callback statuses in the order the callbacks ran.
class Acks {
 public:
  explicit Acks(int expected) : countdown_(expected) {}
  AppendCallback Callback(uint64_t seq) {
    return [this, seq](Status status, uint64_t) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        seqs_.push_back(seq);
        statuses_.push_back(std::move(status));
      }
      countdown_.Done();
    };
  }
  bool Wait() { return countdown_.Wait(); }
  std::vector<uint64_t> seqs() {
    std::lock_guard<std::mutex> lock(mu_);
    return seqs_;
  }
  std::vector<StatusCode> codes() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<StatusCode> codes;
    for (const Status& status : statuses_) codes.push_back(status.code());
    return codes;
  }

 private:
  Countdown countdown_;
  std::mutex mu_;
  std::vector<uint64_t> seqs_;
  std::vector<Status> statuses_;
};

std::vector<uint64_t> Seqs(uint64_t first, uint64_t last) {
  std::vector<uint64_t> seqs;
  for (uint64_t seq = first; seq <= last; ++seq) seqs.push_back(seq);
  return seqs;
}

// Submits batch 1 and waits until its write is held, then submits 2..count: they all queue.
void SubmitBehindHeldWrite(GroupCommitter& committer, FakeWriter& writer, Acks& acks,
                           uint64_t count) {
  committer.Submit(MakeBatch("r", 1, 1), acks.Callback(1));
  ASSERT_TRUE(writer.WaitUntilHeld()) << "the first write never started";
  for (uint64_t seq = 2; seq <= count; ++seq) {
    committer.Submit(MakeBatch("r", seq, seq), acks.Callback(seq));
  }
  writer.Release();
}

TEST(GroupCommitterTest, CommitsEverythingQueuedInOneWrite) {
  FakeWriter writer;
  writer.HoldFirstWrite();
  GroupCommitter committer(writer.Fn());
  Acks acks(100);
  SubmitBehindHeldWrite(committer, writer, acks, 100);
  ASSERT_TRUE(acks.Wait()) << "not every batch was acknowledged in time";

  EXPECT_EQ(writer.group_sizes(), (std::vector<size_t>{1, 99}));
  EXPECT_EQ(committer.stats().writes, 2u);
  EXPECT_EQ(committer.stats().batches, 100u);
  EXPECT_EQ(writer.written(), Seqs(1, 100));
  EXPECT_EQ(acks.seqs(), Seqs(1, 100)) << "callbacks run in submission order";
  EXPECT_EQ(acks.codes(), std::vector<StatusCode>(100, StatusCode::kOk));
}

TEST(GroupCommitterTest, GroupsStayWithinBatchLimit) {
  FakeWriter writer;
  writer.HoldFirstWrite();
  GroupCommitter committer(writer.Fn(), GroupLimits{.max_batches = 10});
  Acks acks(100);
  SubmitBehindHeldWrite(committer, writer, acks, 100);
  ASSERT_TRUE(acks.Wait()) << "not every batch was acknowledged in time";

  std::vector<size_t> expected = {1};
  for (int i = 0; i < 9; ++i) expected.push_back(10);
  expected.push_back(9);
  EXPECT_EQ(writer.group_sizes(), expected);
  EXPECT_EQ(writer.written(), Seqs(1, 100));
}

TEST(GroupCommitterTest, GroupsStayWithinByteLimitButOversizedBatchesCommit) {
  FakeWriter writer;
  writer.HoldFirstWrite();
  // Room for three test batches per group, and less than one.
  size_t batch_bytes = MakeBatch("r", 1, 1).records[0].bytes.size() + 1 + sizeof(uint64_t);
  GroupCommitter committer(writer.Fn(), GroupLimits{.max_bytes = 3 * batch_bytes});
  Acks acks(10);
  SubmitBehindHeldWrite(committer, writer, acks, 10);
  ASSERT_TRUE(acks.Wait()) << "not every batch was acknowledged in time";
  EXPECT_EQ(writer.group_sizes(), (std::vector<size_t>{1, 3, 3, 3}));

  GroupCommitter tiny(writer.Fn(), GroupLimits{.max_bytes = 1});
  Acks oversized(1);
  tiny.Submit(MakeBatch("r", 11, 11), oversized.Callback(11));
  ASSERT_TRUE(oversized.Wait()) << "an oversized batch was never acknowledged";
  EXPECT_EQ(oversized.codes(), std::vector<StatusCode>{StatusCode::kOk});
}

TEST(GroupCommitterTest, FailedWriteFailsGroupAndEveryLaterBatch) {
  FakeWriter writer;
  writer.HoldFirstWrite();
  writer.FailWrites(Status::IOError("disk full"));
  GroupCommitter committer(writer.Fn());
  Acks acks(3);
  SubmitBehindHeldWrite(committer, writer, acks, 2);  // groups {1}, {2}
  committer.Submit(MakeBatch("r", 3, 3), acks.Callback(3));
  ASSERT_TRUE(acks.Wait()) << "not every batch was acknowledged in time";

  EXPECT_EQ(acks.codes(), std::vector<StatusCode>(3, StatusCode::kIOError));
  EXPECT_EQ(writer.group_sizes(), std::vector<size_t>{1})
      << "a broken committer never writes again";
}

// A full disk: the write was refused and nothing written, so the committer carries on and the
// next group is tried again (and here succeeds).
TEST(GroupCommitterTest, RefusedWriteFailsItsGroupOnly) {
  FakeWriter writer;
  writer.FailWrites(Status::Unavailable("the disk is full"));
  GroupCommitter committer(writer.Fn());
  Acks refused(1);
  committer.Submit(MakeBatch("r", 1, 1), refused.Callback(1));
  ASSERT_TRUE(refused.Wait()) << "the refused batch was never answered";
  writer.FailWrites(Status::Ok());
  Acks taken(1);
  committer.Submit(MakeBatch("r", 1, 1), taken.Callback(1));
  ASSERT_TRUE(taken.Wait()) << "the retried batch was never answered";

  EXPECT_EQ(refused.codes(), std::vector<StatusCode>{StatusCode::kUnavailable});
  EXPECT_EQ(taken.codes(), std::vector<StatusCode>{StatusCode::kOk});
  EXPECT_EQ(writer.group_sizes(), (std::vector<size_t>{1, 1}));
}

TEST(GroupCommitterTest, InvalidBatchIsRejectedAloneInItsTurn) {
  FakeWriter writer;
  writer.HoldFirstWrite();
  GroupCommitter committer(writer.Fn());
  Acks acks(4);
  committer.Submit(MakeBatch("r", 1, 1), acks.Callback(1));
  ASSERT_TRUE(writer.WaitUntilHeld()) << "the first write never started";
  committer.Submit(MakeBatch("r", 2, 2), acks.Callback(2));
  AppendBatch invalid = MakeBatch("r", 3, 3);
  invalid.records[0].bytes = "not a flatbuffer";
  committer.Submit(std::move(invalid), acks.Callback(3));
  committer.Submit(MakeBatch("r", 4, 4), acks.Callback(4));
  writer.Release();
  ASSERT_TRUE(acks.Wait()) << "not every batch was acknowledged in time";

  EXPECT_EQ(acks.seqs(), Seqs(1, 4));
  EXPECT_EQ(acks.codes(), (std::vector<StatusCode>{StatusCode::kOk, StatusCode::kOk,
                                                   StatusCode::kInvalidArgument, StatusCode::kOk}));
  EXPECT_EQ(writer.written(), (std::vector<uint64_t>{1, 2, 4}));
}

TEST(GroupCommitterTest, DestructorCommitsWhatIsQueued) {
  FakeWriter writer;
  Acks acks(50);
  {
    GroupCommitter committer(writer.Fn());
    for (uint64_t seq = 1; seq <= 50; ++seq) {
      committer.Submit(MakeBatch("r", seq, seq), acks.Callback(seq));
    }
  }
  EXPECT_EQ(acks.seqs(), Seqs(1, 50)) << "every callback ran before the destructor returned";
  EXPECT_EQ(writer.written(), Seqs(1, 50));
}

}  // namespace
}  // namespace assent::storage
