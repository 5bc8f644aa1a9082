// CommitSequencer: one commit in flight per run; commands that arrive meanwhile run after it,
// in order; reviewers hear of a durable batch before the shard's thread answers; a failed
// commit reaches its caller and the queue still drains.
#include "engine/internal/commit_sequencer.h"

#include <algorithm>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>

#include <gtest/gtest.h>

#include "base/io_threads.h"
#include "engine/internal/run_txn.h"
#include "schemas/event_generated.h"
#include "storage/mem_event_log.h"

namespace assent::engine {
namespace {

constexpr auto kBound = std::chrono::seconds(20);

class CommitSequencerTest : public ::testing::Test {
 protected:
  ~CommitSequencerTest() override {
    mailbox_.Stop();
    sequencer_.WaitForAppends();
  }

  // Runs `job` on the shard's thread and waits for it.
  void OnShard(const std::function<void()>& job) {
    std::promise<void> done;
    mailbox_.Post([&] {
      job();
      done.set_value();
    });
    ASSERT_EQ(done.get_future().wait_for(kBound), std::future_status::ready);
  }

  // The next batch of run `run_id`: RunStarted for a new run, then one StepStarted.
  storage::AppendBatch NextBatch(const std::string& run_id, RunState& state) {
    RunTxn txn = state.last_seq == 0 ? RunTxn::NewRun(run_id, state, 1000) : RunTxn(state, 1000);
    if (state.last_seq == 0) {
      fb::RunStartedT started;
      started.workflow = "wf";
      txn.Emit(std::move(started));
    }
    fb::StepStartedT step;
    step.step_id = "s" + std::to_string(state.last_seq);
    step.attempt = 1;
    txn.Emit(std::move(step));
    return txn.Finish();
  }

  storage::MemEventLog log_;
  IoThreads threads_{2};
  Mailbox mailbox_{threads_.io(), [] { return Status::Ok(); }};
  std::mutex mutex_;
  std::condition_variable traced_;
  std::vector<std::string> trace_;  // guarded by mutex_
  CommitSequencer sequencer_{mailbox_, log_,
                             [this](const std::vector<ApprovalNotification>&) {
                               Trace("published");
                             },
                             [this](const std::string& run_id) { Trace("settled " + run_id); }};

  void Trace(std::string what) {
    std::lock_guard lock(mutex_);
    trace_.push_back(std::move(what));
    traced_.notify_all();
  }

  // Waits (bounded) until `entry` is in the trace; returns the trace then.
  std::vector<std::string> TraceOnce(const std::string& entry) {
    std::unique_lock lock(mutex_);
    bool seen = traced_.wait_for(lock, kBound, [&] {
      return std::find(trace_.begin(), trace_.end(), entry) != trace_.end();
    });
    EXPECT_TRUE(seen) << "no \"" << entry << "\" within 20 s";
    return trace_;
  }
};

TEST_F(CommitSequencerTest, CommandsThatArriveDuringACommitRunAfterItInOrder) {
  RunState state;
  OnShard([&] {
    sequencer_.Commit("r1", NextBatch("r1", state), {},
                      [&](Status status) { Trace("durable " + status.ToString()); });
    EXPECT_TRUE(sequencer_.InFlight("r1"));
    EXPECT_TRUE(sequencer_.Busy("r1"));
    EXPECT_FALSE(sequencer_.Busy("r2"));
    sequencer_.Queue("r1", [&] { Trace("queued 1"); });
    sequencer_.Queue("r1", [&] { Trace("queued 2"); });
  });
  EXPECT_EQ(TraceOnce("settled r1"), (std::vector<std::string>{"published", "durable OK",
                                                               "queued 1", "queued 2",
                                                               "settled r1"}));
  std::vector<std::string> records;
  ASSERT_TRUE(log_.ReadRun("r1", &records).ok());
  EXPECT_EQ(records.size(), 2u);
}

TEST_F(CommitSequencerTest, AQueuedCommandThatCommitsKeepsTheRestQueuedBehindIt) {
  RunState state;
  OnShard([&] {
    sequencer_.Commit("r1", NextBatch("r1", state), {}, [&](Status) { Trace("first"); });
    sequencer_.Queue("r1", [&] {
      sequencer_.Commit("r1", NextBatch("r1", state), {}, [&](Status) { Trace("second"); });
    });
    sequencer_.Queue("r1", [&] { Trace("after second"); });
  });
  EXPECT_EQ(TraceOnce("settled r1"), (std::vector<std::string>{"published", "first", "published",
                                                               "second", "after second",
                                                               "settled r1"}));
}

TEST_F(CommitSequencerTest, AFailedCommitReachesItsCallerAndPublishesNothing) {
  RunState state;
  log_.FailNextWrite(Status::IOError("disk on fire"));
  OnShard([&] {
    sequencer_.Commit("r1", NextBatch("r1", state), {},
                      [&](Status status) { Trace("durable " + status.ToString()); });
    sequencer_.Queue("r1", [&] { Trace("queued"); });
  });
  std::vector<std::string> trace = TraceOnce("settled r1");
  ASSERT_EQ(trace.size(), 3u);
  EXPECT_EQ(trace[0].rfind("durable IOError", 0), 0u) << trace[0];
  EXPECT_EQ(trace[1], "queued");
  EXPECT_EQ(trace[2], "settled r1");
}

TEST_F(CommitSequencerTest, IdleOnceEveryCommitHasLanded) {
  std::map<std::string, RunState> states;
  std::promise<void> both;
  int landed = 0;
  OnShard([&] {
    EXPECT_TRUE(sequencer_.Idle());
    for (const char* run_id : {"a", "b"}) {
      sequencer_.Commit(run_id, NextBatch(run_id, states[run_id]), {}, [&](Status) {
        if (++landed == 2) both.set_value();
      });
    }
    EXPECT_FALSE(sequencer_.Idle());
  });
  ASSERT_EQ(both.get_future().wait_for(kBound), std::future_status::ready);
  sequencer_.WaitForAppends();
  OnShard([&] { EXPECT_TRUE(sequencer_.Idle()); });
}

}  // namespace
}  // namespace assent::engine
