// RunWaiters: callers waiting for runs to finish (long polls for a run's result), on one
// shard's strand.
//
// A waiter is answered exactly once: with the finished run when the shard reports it
// (Finished), or, when its wait runs out first, with the run as it stands then (the shard's
// `answer_current`, which may have to read a run that left memory back from the log). Waiters
// live apart from the runs in memory, so a waiting run evicted from the cache keeps its waiters.
//
// Thread safety: none; every member is called on the shard's strand, and the timers run on it
// through the mailbox's guard.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "engine/engine.h"
#include "engine/internal/mailbox.h"
#include "engine/internal/run_state.h"

namespace assent::engine {

class RunWaiters {
 public:
  // Answers `done` with the run `run_id` as it stands now, at once.
  using AnswerCurrent = std::function<void(const std::string& run_id, Callback<RunView> done)>;

  RunWaiters(Mailbox& mailbox, AnswerCurrent answer_current);
  RunWaiters(const RunWaiters&) = delete;
  RunWaiters& operator=(const RunWaiters&) = delete;

  // `done` is answered when the run finishes or after `wait`, whichever comes first.
  // REQUIRES: the run exists and has not finished.
  void Add(const std::string& run_id, std::chrono::milliseconds wait, Callback<RunView> done);

  // `state` has just finished durably: answers everyone waiting for it.
  void Finished(const RunState& state);

  // Answers every waiter with its run as it stands (the shard is stopping).
  void AnswerAll();

 private:
  struct Waiter {
    uint64_t id;
    Callback<RunView> done;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };

  void OnTimeout(const std::string& run_id, uint64_t id);

  Mailbox& mailbox_;
  AnswerCurrent answer_current_;
  std::unordered_map<std::string, std::vector<Waiter>> waiters_;  // by run id
  uint64_t next_id_ = 1;
};

}  // namespace assent::engine
