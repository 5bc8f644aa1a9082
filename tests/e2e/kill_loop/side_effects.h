// SideEffectTarget: the local HTTP service the workflow's http steps call. It lives for the whole
// kill loop (every round, every server process), records every request it gets with its
// Idempotency-Key, and answers 500 to some of them (drawn from the round's seed) so the engine
// retries. reserve is flaky on purpose: the first kFlakyFailures requests of each reserve key
// get 503 whatever the draw, so every run's reserve waits on durable retry timers that the
// kills cut through. A 2xx answer is {"ref": "ref-<key>"}, which pay carries on as "reserved".
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "tests/support/http_target.h"

namespace assent::testing::kill_loop {

// The 503s each reserve key gets before the target's draw decides.
inline constexpr size_t kFlakyFailures = 2;

struct SideEffectRequest {
  size_t index = 0;       // arrival order, from 0
  int round = 0;          // the round it arrived in
  int life = 0;           // the server process that sent it (1: the first one started)
  std::string path;       // "/reserve" or "/pay"
  std::string key;        // the Idempotency-Key header; empty when absent
  std::string effect;     // the body's "effect"; empty when the body is not as expected
  std::string tag;        // the body's "tag"
  std::string reserved;   // pay only: the body's "reserved"
  std::string body;       // as received
  unsigned answered = 0;  // the status the target answered with
};

// The answer a side effect gets for `key` when it succeeds.
inline std::string RefFor(const std::string& key) { return "ref-" + key; }

class SideEffectTarget {
 public:
  SideEffectTarget();

  // Base URL of the target, e.g. "http://127.0.0.1:40123".
  std::string url() const;
  // From now on requests count for `round`, and 500s are drawn from `seed`.
  void BeginRound(int round, uint64_t seed);
  // From now on requests come from a new server process (a restart after a kill).
  void BeginServerLife();
  std::vector<SideEffectRequest> Requests() const;

 private:
  TargetResponse Answer(const ReceivedRequest& request, size_t index);

  mutable std::mutex mutex_;
  std::mt19937_64 random_;
  int round_ = 0;
  int life_ = 0;
  std::vector<SideEffectRequest> requests_;
  std::map<std::string, size_t> reserve_requests_;  // reserve key -> requests so far
  // Last: its thread calls Answer, so it must stop before the members above go.
  HttpTarget target_;
};

}  // namespace assent::testing::kill_loop
