// Helpers shared by the storage tests: valid records, and bounded waits for append callbacks.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "storage/event_log.h"

namespace assent::storage::testing {

// Long enough for a loaded 2-core machine; reached only when something is broken.
inline constexpr std::chrono::seconds kWaitTimeout{60};

// A finished Event buffer for `run_id` and `seq` (a StepStarted body, step id "step-<seq>").
std::string MakeEvent(std::string_view run_id, uint64_t seq);
// The same envelope naming a StepStarted body but carrying none, which the FlatBuffers verifier
// alone lets through.
std::string MakeEventWithoutBody(std::string_view run_id, uint64_t seq);
Record MakeRecord(std::string_view run_id, uint64_t seq);
// A batch holding seqs [first, last] of `run_id`.
AppendBatch MakeBatch(std::string_view run_id, uint64_t first, uint64_t last);

// Appends and waits for the callback; Unavailable("timed out ...") if it never comes.
Status AppendAndWait(EventLog& log, AppendBatch batch);
// The same, answering the batch's first commit position when it is durable.
Result<uint64_t> AppendForPosition(EventLog& log, AppendBatch batch);

// Counts callbacks down to zero; Wait gives up after kWaitTimeout.
class Countdown {
 public:
  explicit Countdown(int count) : count_(count) {}
  void Done();
  // True when the count reached zero in time.
  bool Wait();

 private:
  std::mutex mu_;
  std::condition_variable zero_;
  int count_;
};

}  // namespace assent::storage::testing
