// Mailbox: how work reaches one shard. The shard's thread runs an io_context; commands from
// any thread are accepted (or refused) and posted to it, and the shard's own continuations
// (durable commits, effect outcomes, timers) run on it too. Everything a shard owns is touched
// only from that thread, so the hot path takes no locks.
//
// Accepted commands are counted until their job runs, so Drain can wait for every command the
// engine accepted before it began refusing, and none is lost at shutdown.
//
// Thread safety: Accept, PostAccepted, Post, Notify and Drain from any thread; Start and Stop
// from the thread that owns the shard.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "base/status.h"

namespace assent::engine {

class Mailbox {
 public:
  // `refusal`: why a new command must be refused now (the engine is stopping, the log failed),
  // or Ok. Any thread.
  explicit Mailbox(std::function<Status()> refusal);
  ~Mailbox();  // Stop()
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  // For the shard's timers and sockets: their handlers run on the shard's thread.
  boost::asio::io_context& io() { return io_; }

  void Start();

  // A new command: Ok and counted (Drain waits for it) until the job given to PostAccepted
  // runs, or why it is refused, and nothing counted.
  Status Accept();
  // REQUIRES: Accept() was Ok for this job.
  template <typename Job>
  void PostAccepted(Job job) {
    boost::asio::post(io_, [this, job = std::move(job)]() mutable {
      --accepted_;
      job();
    });
  }
  // Work the shard gives itself (it is already accounted for by what caused it).
  template <typename Job>
  void Post(Job job) {
    boost::asio::post(io_, std::move(job));
  }

  // Tells Drain to look again: something it waits for may have finished (a commit landed).
  void Notify();

  // Waits (at most `limit`) until no accepted command is waiting for its job and `idle`,
  // evaluated on the shard's thread, holds. False when the limit ran out.
  bool Drain(const std::function<bool()>& idle, std::chrono::milliseconds limit);

  // Runs `last` on the shard's thread as its final job, then stops the thread and joins it.
  // Jobs still queued behind `last` never run. Idempotent.
  void Stop(const std::function<void()>& last = {});

 private:
  const std::function<Status()> refusal_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
  std::atomic<size_t> accepted_{0};  // commands accepted whose job has not run yet

  std::mutex progress_mutex_;
  std::condition_variable progress_;  // Notify
};

}  // namespace assent::engine
