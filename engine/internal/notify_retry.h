// When a webhook delivery that failed is tried again, and when it is given up: exponential
// backoff from `initial`, doubling up to `max`, for at most `give_up_after` since the delivery
// was recorded (measured on the wall clock it was recorded with, so a restart does not extend
// it).
//
// Pure; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

namespace assent::engine {

struct NotifyRetryPolicy {
  std::chrono::milliseconds initial{1'000};
  std::chrono::milliseconds max{600'000};
  std::chrono::milliseconds give_up_after{24 * 3'600'000};

  // The wait after the `failures`-th failed attempt (1: the first): initial * 2^(failures-1),
  // at most max.
  std::chrono::milliseconds DelayAfter(uint32_t failures) const;
  // Whether a delivery recorded at `created_at_ms` is given up at `now_ms` rather than tried
  // again after DelayAfter: when the next attempt would come after the bound.
  bool GivesUp(int64_t created_at_ms, int64_t now_ms, uint32_t failures) const;
};

}  // namespace assent::engine
