// The kill loop's scheduled workflow: a run every minute ("* * * * *", catch_up "all"), while
// the server is killed and restarted around its fire times. After each restart every fire time
// from the first one after the workflow was applied up to the one it is armed for now has
// started exactly one run, whose input names it: none lost across a kill, none started twice.
#pragma once

#include <cstddef>
#include <string>

#include "tests/support/api_client.h"

namespace assent::testing::kill_loop {

inline constexpr const char* kScheduledWorkflowName = "kill-loop-ticks";

// Its definition: a schedule and one code step (each run completes in its first commit).
std::string ScheduledWorkflowDefinition();

class ScheduleCheck {
 public:
  // Applies the workflow and reads its first fire time. Throws CheckFailed.
  void Apply(ApiClient& api);
  // Checks the fire times so far (see above); returns how many there were. Throws CheckFailed.
  size_t Check(ApiClient& api) const;

 private:
  int64_t first_fire_ms_ = 0;
};

}  // namespace assent::testing::kill_loop
