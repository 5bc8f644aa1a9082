// The recovery mode's check over a data dir that is reused (`--data`): it must expect what the
// log holds, whatever happened to earlier runs on the same dir.
#include <string>

#include <gtest/gtest.h>

#include "bench/load/embedded_load.h"
#include "bench/load/recovery_load.h"
#include "tests/engine/engine_fixture.h"
#include "tests/support/temp_dir.h"

namespace assent::bench {
namespace {

using engine::engine_testing::Await;

constexpr int kRuns = 200;  // 100 of them left waiting

// What a recovery run leaves behind when it dies (an exception, a lost connection, Ctrl-C)
// after its decision is durable but before it could note it anywhere: one more approval
// decided in the log, fill.json unchanged.
void DecideOneAsADyingRunWould(const std::string& data_dir) {
  EmbeddedEngine embedded = EmbeddedEngine::Open(data_dir);
  const engine::Principal admin{.id = "admin", .admin = true};
  auto page = embedded.engine->ListApprovals(
      admin, {.status = engine::ApprovalStatus::kPending, .limit = 1});
  ASSERT_TRUE(page.ok() && page->approvals.size() == 1);
  const auto* pending = &page->approvals;
  auto decided = Await<engine::ApprovalView>([&](auto done) {
    embedded.engine->Decide(engine::DecideCommand{pending->front().id, engine::Decision::kApprove,
                                                  {.principal = admin}, "recovery check"},
                            done);
  });
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  embedded.engine->Shutdown();
}

TEST(RecoveryBenchTest, AReusedDirIsCheckedAgainstWhatItsLogHolds) {
  testing::TempDir dir;
  RecoveryFlags flags{kRuns, 8, dir.str(), true};
  ASSERT_EQ(RunRecoveryMode(flags), 0);  // fills, decides one, checks the snapshot

  DecideOneAsADyingRunWould(dir.str() + "/data");

  // 100 filled - 3 decided = 97 pending: the check must expect 97, not 98.
  EXPECT_EQ(RunRecoveryMode(flags), 0);
}

}  // namespace
}  // namespace assent::bench
