// RunCache: runs in use stay; finished runs leave at once; idle waiting runs are kept most
// recently used first, at most max_waiting of them and max_waiting_bytes in all, and one that
// left memory is rebuilt from the log the next time it is needed.
#include "engine/internal/run_cache.h"

#include <cstdint>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "engine/internal/run_txn.h"
#include "schemas/event_generated.h"
#include "storage/mem_event_log.h"
#include "tests/storage/test_events.h"

namespace assent::engine {
namespace {

class RunCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto applied = registry_.Apply("wf", boost::json::parse(R"({"steps": [
      {"id": "ask", "type": "approval", "message": "ok?"}]})"),
                                   [](const WorkflowDefinition*) { return Status::Ok(); });
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  }

  // Writes a run of workflow wf v1 to the log: started, then waiting or completed.
  // `input_bytes`: the size of the run's input, a string of that many x.
  void WriteRun(const std::string& run_id, bool waiting, size_t input_bytes = 0) {
    RunState state;
    RunTxn txn = RunTxn::NewRun(run_id, state, 1000);
    fb::RunStartedT started;
    started.workflow = "wf";
    started.version = 1;
    if (input_bytes > 0) started.input = R"({"blob":")" + std::string(input_bytes, 'x') + R"("})";
    txn.Emit(std::move(started));
    if (waiting) {
      fb::ApprovalRequestedT requested;
      requested.approval_id = run_id + ".2";
      requested.step_id = "ask";
      txn.Emit(std::move(requested));
    } else {
      txn.Emit(fb::RunCompletedT{});
    }
    ASSERT_TRUE(storage::testing::AppendAndWait(log_, txn.Finish()).ok());
  }

  // Uses the run (loading it if needed) and releases it, as a command on it would.
  void Use(const std::string& run_id) { Use(cache_, run_id); }
  void Use(RunCache& cache, const std::string& run_id) {
    auto run = cache.FindOrLoad(run_id);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    cache.Release(run_id);
  }

  storage::MemEventLog log_;
  WorkflowRegistry registry_{log_};
  RunLoader loader_{log_, NullLogger()};
  RunCache cache_{loader_, registry_, 2, SIZE_MAX};
};

TEST_F(RunCacheTest, LoadsARunFromTheLogWithItsDefinition) {
  WriteRun("r1", true);
  auto run = cache_.FindOrLoad("r1");
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ((*run)->state.status, RunStatus::kWaiting);
  EXPECT_EQ((*run)->definition->name, "wf");
  EXPECT_EQ(cache_.Find("r1"), *run);
  EXPECT_EQ(cache_.FindOrLoad("nope").status().code(), StatusCode::kNotFound);
}

TEST_F(RunCacheTest, FinishedRunsLeaveMemoryWhenReleased) {
  WriteRun("done", false);
  Use("done");
  EXPECT_EQ(cache_.Find("done"), nullptr);
  EXPECT_EQ(cache_.size(), 0u);
}

TEST_F(RunCacheTest, OnlyTheMostRecentlyUsedIdleWaitingRunsStay) {
  for (const char* id : {"a", "b", "c"}) WriteRun(id, true);
  Use("a");
  Use("b");
  Use("a");  // a is now more recent than b
  Use("c");  // the third: b, the least recently used, leaves
  EXPECT_NE(cache_.Find("a"), nullptr);
  EXPECT_EQ(cache_.Find("b"), nullptr);
  EXPECT_NE(cache_.Find("c"), nullptr);
  EXPECT_EQ(cache_.idle_waiting(), 2u);
  // b is rebuilt from the log when needed again.
  Use("b");
  EXPECT_NE(cache_.Find("b"), nullptr);
  EXPECT_EQ(cache_.Find("a"), nullptr);
}

TEST_F(RunCacheTest, ARunInUseIsNeverEvicted) {
  for (const char* id : {"a", "b", "c"}) WriteRun(id, true);
  auto held = cache_.FindOrLoad("a");  // in use: not released
  ASSERT_TRUE(held.ok());
  Use("b");
  Use("c");
  Use("b");
  EXPECT_EQ(cache_.Find("a"), *held);
  EXPECT_EQ(cache_.idle_waiting(), 2u);
}

TEST_F(RunCacheTest, RunningRunsStayUntilTheyFinishOrWait) {
  auto definition = registry_.Latest("wf");
  cache_.Insert("new", definition);
  cache_.Release("new");  // running: kept, not in the LRU
  EXPECT_NE(cache_.Find("new"), nullptr);
  EXPECT_EQ(cache_.idle_waiting(), 0u);
  cache_.Forget("new");
  EXPECT_EQ(cache_.Find("new"), nullptr);
}

TEST_F(RunCacheTest, ARunOfAnUnknownDefinitionIsCorruption) {
  RunState state;
  RunTxn txn = RunTxn::NewRun("orphan", state, 1000);
  fb::RunStartedT started;
  started.workflow = "gone";
  started.version = 7;
  txn.Emit(std::move(started));
  ASSERT_TRUE(storage::testing::AppendAndWait(log_, txn.Finish()).ok());
  EXPECT_EQ(cache_.FindOrLoad("orphan").status().code(), StatusCode::kCorruption);
}

// 2,001 waiting runs with 1 MiB inputs once held 2.1 GB: the count alone bounded nothing. Runs
// of 100 KiB under a 350 KiB budget: at most three stay, the budget is never exceeded, and an
// evicted run comes back from the log as it was.
TEST_F(RunCacheTest, IdleWaitingRunsStayWithinTheByteBudget) {
  constexpr size_t kInput = 100 << 10;
  constexpr size_t kBudget = 350 << 10;
  RunCache cache(loader_, registry_, 1'000, kBudget);
  for (int i = 0; i < 6; ++i) {
    WriteRun("big" + std::to_string(i), true, kInput);
    Use(cache, "big" + std::to_string(i));
    EXPECT_LE(cache.idle_waiting_bytes(), kBudget) << "after run " << i;
  }
  EXPECT_EQ(cache.idle_waiting(), 3u);
  // Honest sizes: each counts at least its input's text.
  EXPECT_GE(cache.idle_waiting_bytes(), 3 * kInput);
  EXPECT_EQ(cache.Find("big0"), nullptr);
  EXPECT_NE(cache.Find("big5"), nullptr);

  auto reloaded = cache.FindOrLoad("big0");
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  EXPECT_EQ((*reloaded)->state, *loader_.Load("big0"));
  EXPECT_EQ((*reloaded)->state.input.at("blob").as_string().size(), kInput);
  EXPECT_EQ(cache.idle_waiting(), 3u) << "a run in use is outside the LRU and its budget";
  cache.Release("big0");
  EXPECT_LE(cache.idle_waiting_bytes(), kBudget);
  EXPECT_EQ(cache.idle_waiting(), 3u);
  EXPECT_EQ(cache.Find("big3"), nullptr) << "the least recently used made room";
}

TEST_F(RunCacheTest, ARunLargerThanTheWholeBudgetIsNotKept) {
  RunCache cache(loader_, registry_, 1'000, 10 << 10);
  WriteRun("huge", true, 50 << 10);
  Use(cache, "huge");
  EXPECT_EQ(cache.Find("huge"), nullptr);
  EXPECT_EQ(cache.idle_waiting_bytes(), 0u);
}

}  // namespace
}  // namespace assent::engine
