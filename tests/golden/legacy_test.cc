// Data dirs written by the first version (commit 74a9ec5) still read. Its events are today's
// (event.fbs has not changed), but its approval records and run snapshots were JSON:
// tests/golden/v0 holds the bytes it wrote for the golden runs. Lists still show every
// approval (folding its run until the approval next changes and gets a record of today's
// kind), and a run with an old snapshot loads from its events, without a warning.
#include <gtest/gtest.h>

#include "engine/internal/index_keys.h"
#include "engine/internal/run_loader.h"
#include "engine/internal/run_queries.h"
#include "storage/mem_event_log.h"
#include "tests/engine/run_state_printer.h"
#include "tests/golden/golden_file.h"
#include "tests/golden/golden_runs.h"
#include "tests/storage/test_events.h"

namespace assent::golden {
namespace {

const std::string kDir = std::string(ASSENT_SOURCE_DIR) + "/tests/golden";

// Counts what is logged at warn or above.
class CountingLogger final : public Logger {
 public:
  bool Enabled(LogLevel level) const override { return level >= LogLevel::kWarn; }
  void Write(LogLevel, std::string_view, std::span<const LogField>) override { ++lines; }
  int lines = 0;
};

class LegacyDataTest : public ::testing::Test {
 protected:
  // A log as the first version left it: today's events, its approval records and snapshots.
  void SetUp() override {
    storage::AppendBatch batch;
    ASSERT_TRUE(AddEventRecords(ReadEntries(kDir + "/v1/events.bin"), batch));
    for (const auto& [key, value] : ReadEntries(kDir + "/v0/approval_records.bin")) {
      batch.index_ops.push_back({storage::Index::kApprovalsByStatus, key.substr(1), value});
    }
    for (const auto& [run_id, value] : ReadEntries(kDir + "/v0/snapshots.bin")) {
      batch.index_ops.push_back({storage::Index::kRunSnapshots, run_id, value});
    }
    ASSERT_TRUE(storage::testing::AppendAndWait(log_, std::move(batch)).ok());
  }

  storage::MemEventLog log_;
  CountingLogger logger_;
  GoldenRuns today_ = BuildGoldenRuns(1);  // v0's events are v1's
};

TEST_F(LegacyDataTest, ApprovalsWithFirstVersionRecordsAreListedInFull) {
  engine::WorkflowRegistry registry(log_);
  engine::RunQueries queries(log_, registry, logger_);
  const engine::Principal admin{.id = "admin", .admin = true};
  size_t listed = 0;
  for (engine::ApprovalStatus status :
       {engine::ApprovalStatus::kApproved, engine::ApprovalStatus::kRejected,
        engine::ApprovalStatus::kCancelled}) {
    auto approvals = queries.ListApprovals(admin, {.status = status, .limit = 100});
    ASSERT_TRUE(approvals.ok()) << approvals.status().ToString();
    for (const engine::ApprovalView& approval : approvals->approvals) {
      const engine::ApprovalView* expected =
          today_.final_states.at(approval.run_id).FindApproval(approval.id);
      ASSERT_NE(expected, nullptr) << approval.id;
      EXPECT_EQ(approval, *expected);
      EXPECT_EQ(approval.status, status);
      ++listed;
    }
  }
  EXPECT_EQ(listed, 3u);
  EXPECT_EQ(logger_.lines, 0);
}

TEST_F(LegacyDataTest, ARunWithAFirstVersionSnapshotLoadsFromItsEventsQuietly) {
  engine::RunLoader loader(log_, logger_);
  for (const auto& [run_id, expected] : today_.final_states) {
    auto loaded = loader.Load(run_id);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    EXPECT_EQ(*loaded, expected);
  }
  EXPECT_EQ(logger_.lines, 0);
}

}  // namespace
}  // namespace assent::golden
