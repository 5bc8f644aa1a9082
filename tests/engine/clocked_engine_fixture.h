// An engine on the test's clock: tests of timers (approval timeouts, escalations, reminders,
// wait steps) move `now_` past a due time instead of sleeping, and the timers look at it every
// few ms.
#pragma once

#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include "engine/internal/index_keys.h"
#include "tests/engine/engine_fixture.h"

namespace assent::engine::engine_testing {

inline constexpr int64_t kStart = 1'800'000'000'000;  // 2027-01-15, in unix ms
inline constexpr int64_t kHour = 3'600'000;

class ClockedEngineTest : public EngineTest {
 protected:
  void SetUp() override { ReopenWithClock(); }

  void ReopenWithClock() {
    EngineHooks hooks;
    hooks.clock = [this] { return now_.load(); };
    hooks.timer_poll = std::chrono::milliseconds(5);
    Reopen(kTestOptions, std::move(hooks));
  }

  // The run's one pending approval's id ("" and a failure when it has not exactly one).
  std::string PendingApproval(const std::string& run_id) {
    RunView run = Run(run_id);
    EXPECT_EQ(run.pending_approvals.size(), 1u);
    return run.pending_approvals.empty() ? "" : run.pending_approvals.front().id;
  }

  // The timer entries the log holds: due time and timer id.
  std::vector<std::pair<int64_t, std::string>> TimerEntries() {
    std::vector<std::pair<int64_t, std::string>> entries;
    EXPECT_TRUE(log_.ScanIndex(storage::Index::kTimers, "",
                               [&](std::string_view key, std::string_view) {
                                 auto parts = DecodeTimerKey(key);
                                 EXPECT_TRUE(parts.has_value());
                                 if (parts) {
                                   entries.emplace_back(parts->due_at_ms,
                                                        std::string(parts->timer_id));
                                 }
                                 return true;
                               })
                    .ok());
    return entries;
  }

  std::atomic<int64_t> now_{kStart};
};

}  // namespace assent::engine::engine_testing
