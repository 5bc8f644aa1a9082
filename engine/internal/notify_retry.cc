#include "engine/internal/notify_retry.h"

#include <algorithm>

namespace assent::engine {

std::chrono::milliseconds NotifyRetryPolicy::DelayAfter(uint32_t failures) const {
  std::chrono::milliseconds delay = std::max(initial, std::chrono::milliseconds(1));
  for (uint32_t i = 1; i < failures && delay < max; ++i) delay *= 2;
  return std::min(delay, max);
}

bool NotifyRetryPolicy::GivesUp(int64_t created_at_ms, int64_t now_ms, uint32_t failures) const {
  return now_ms + DelayAfter(failures).count() > created_at_ms + give_up_after.count();
}

}  // namespace assent::engine
