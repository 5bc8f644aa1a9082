// RunTimers: fires runs' timers when they come due, exactly as the timers index says: an
// approval's timeout (timer id: the approval id) and reminder, a wait step's wake-up (timer id:
// run id "." the seq of the step's StepStarted) and an http step's retry (run id "/retry").
//
// The index is the durable truth: RunTxn::Finish writes an entry (due time + timer id) in the
// batch that arms the timer (a timed approval's request, a wait step's start, a failed attempt
// that will be retried) and deletes it in the batch that ends what it waits on. A timer that
// came due while the server was down is still in the index at start, already due, and fires at
// once. What a timer does is decided on the run (TimeOutApproval, WakeUp, RetryAttempt), which
// ignores what is no longer waiting or not due yet: a timer that fires late or twice does
// nothing more, so every timeout, wake-up and retry is recorded once.
//
// Only the entries due within a window ahead of the clock (at most kMaxLoaded of them, more when
// many share one due time) are held in memory, loaded from the index in due order. A million
// pending timers cost memory only for those due soon; the next window is loaded as the clock
// reaches the end of this one.
//
// The clock is injectable; the service looks at it again at least every `poll` (so a test that
// moves its clock, or a system clock that steps, is noticed within one poll).
//
// Thread-safe: Armed/Disarmed come from the shards' strands after durable commits; the
// service runs its timer on a strand of its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "base/logger.h"
#include "base/status.h"
#include "storage/event_log.h"

namespace assent::engine {

class RunTimers {
 public:
  // Called when a timer is due (again, if its timeout has not been recorded kRefireAfter later).
  using Fire = std::function<void(const std::string& run_id, const std::string& timer_id,
                                  int64_t due_at_ms)>;

  RunTimers(boost::asio::io_context& io, storage::EventLog& log, Logger& logger,
                 std::function<int64_t()> now_ms, std::chrono::milliseconds poll, Fire fire);
  ~RunTimers();
  RunTimers(const RunTimers&) = delete;
  RunTimers& operator=(const RunTimers&) = delete;

  // Loads the first window and starts the timer. kIOError/kCorruption if the index cannot be
  // read.
  Status Start();
  // Stops firing; returns once no callback of the service runs.
  void Stop();

  // An index entry became durable (written) / durable no more (deleted).
  void Armed(int64_t due_at_ms, const std::string& timer_id, const std::string& run_id);
  void Disarmed(int64_t due_at_ms, const std::string& timer_id);

  // How many timers are held in memory (tests and benchmarks).
  size_t loaded() const;

  // Entries loaded in one window, unless more share its last due time.
  static constexpr size_t kMaxLoaded = 65'536;
  // How far ahead of the clock a window reaches.
  static constexpr int64_t kWindowMs = 3'600'000;
  // A fired timer whose entry is still there this much later fires again (its run could not
  // record the timeout: the log refused, or the run was busy being evicted).
  static constexpr int64_t kRefireAfterMs = 10'000;

 private:
  struct Entry {
    std::string run_id;
    int64_t fire_after_ms = 0;  // 0: not fired yet
  };
  using Key = std::pair<int64_t, std::string>;  // due time, timer id

  // Loads the next window if the clock has reached the end of this one. REQUIRES: mu_ held.
  Status LoadIfNeeded(int64_t now);
  void Tick();
  void ArmWake(int64_t now);

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  storage::EventLog& log_;
  Logger& logger_;
  const std::function<int64_t()> now_ms_;
  const std::chrono::milliseconds poll_;
  const Fire fire_;
  boost::asio::steady_timer wake_;

  mutable std::mutex mu_;
  std::map<Key, Entry> loaded_;
  int64_t loaded_until_ms_ = 0;  // every entry due before this is in loaded_
  bool stopped_ = false;
  bool started_ = false;
};

}  // namespace assent::engine
