// RunCache: runs in use stay; finished runs leave at once; idle waiting runs are kept most
// recently used first, at most max_waiting of them, and one that left memory is rebuilt from
// the log the next time it is needed.
#include "engine/internal/run_cache.h"

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
      {"id": "ask", "type": "approval", "message": "ok?"}]})"));
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  }

  // Writes a run of workflow wf v1 to the log: started, then waiting or completed.
  void WriteRun(const std::string& run_id, bool waiting) {
    RunState state;
    RunTxn txn = RunTxn::NewRun(run_id, state, 1000);
    fb::RunStartedT started;
    started.workflow = "wf";
    started.version = 1;
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
  void Use(const std::string& run_id) {
    auto run = cache_.FindOrLoad(run_id);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    cache_.Release(run_id);
  }

  storage::MemEventLog log_;
  WorkflowRegistry registry_{log_};
  RunLoader loader_{log_, NullLogger()};
  RunCache cache_{loader_, registry_, 2};
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

}  // namespace
}  // namespace assent::engine
