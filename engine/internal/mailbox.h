// Mailbox: how work reaches one shard. A shard runs on a strand of an io_context's threads: the
// server's io threads in `assent serve` (so the thread that read a request usually runs its
// command at once, with no hand-over to another thread), or the engine's own threads. Commands
// from any thread are accepted (or refused) and dispatched to the strand, and the shard's own
// continuations (durable commits, effect outcomes, timers) run on it too. Everything a shard
// owns is touched only on its strand, so the hot path takes no locks.
//
// Accepted commands are counted until their job runs, so Drain can wait for every command the
// engine accepted before it began refusing, and none is lost at shutdown. After Stop nothing
// more runs: jobs and handlers still queued on the strand (a cancelled timer, an HTTP call that
// answers late) find the mailbox closed and return without touching the shard.
//
// Thread safety: Accept, PostAccepted, Post, Guard, Notify and Drain from any thread; Stop from
// one thread that is not one of the io_context's (it waits for the strand).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "base/status.h"

namespace assent::engine {

class Mailbox {
 public:
  using Executor = boost::asio::strand<boost::asio::io_context::executor_type>;

  // `refusal`: why a new command must be refused now (the engine is stopping, the log failed),
  // or Ok. Any thread. `io` must outlive the mailbox and run until Stop returns.
  Mailbox(boost::asio::io_context& io, std::function<Status()> refusal);
  // Closes the mailbox if Stop did not: handlers that come later do nothing.
  ~Mailbox() { open_->store(false); }
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  // For the shard's timers and sockets: their handlers run on the strand (wrap them in Guard).
  const Executor& executor() const { return strand_; }

  // A new command: Ok and counted (Drain waits for it) until the job given to PostAccepted
  // runs, or why it is refused, and nothing counted.
  Status Accept();
  // Runs `job` on the strand: at once when the caller is one of the io_context's threads and
  // the strand is free, else queued; never nested inside the strand's own work (a callback
  // that calls the engine again). If the mailbox closed before the job could run (a shutdown
  // whose drain gave up), `refused` gets Unavailable instead, so the command is still answered.
  // REQUIRES: Accept() was Ok for this job.
  template <typename Job, typename Refused>
  void PostAccepted(Job job, Refused refused) {
    auto run = [this, open = open_, job = std::move(job), refused = std::move(refused)]() mutable {
      --accepted_;
      if (!open->load()) return refused(Status::Unavailable("the engine stopped"));
      job();
    };
    if (strand_.running_in_this_thread()) {
      boost::asio::post(strand_, std::move(run));
    } else {
      boost::asio::dispatch(strand_, std::move(run));
    }
  }
  // Work the shard gives itself (it is already accounted for by what caused it); always queued.
  template <typename Job>
  void Post(Job job) {
    boost::asio::post(strand_, Guard(std::move(job)));
  }
  // `handler` as a handler that does nothing once the mailbox is closed. REQUIRES: invoked on
  // the strand.
  template <typename Handler>
  auto Guard(Handler handler) {
    return [open = open_, handler = std::move(handler)](auto&&... args) mutable {
      if (open->load()) handler(std::forward<decltype(args)>(args)...);
    };
  }

  // Tells Drain to look again: something it waits for may have finished (a commit landed).
  void Notify();

  // Waits (at most `limit`) until no accepted command is waiting for its job and `idle`,
  // evaluated on the strand, holds. False when the limit ran out.
  bool Drain(const std::function<bool()>& idle, std::chrono::milliseconds limit);

  // Runs `last` on the strand as the shard's final work and closes the mailbox: nothing queued
  // behind it runs. Idempotent.
  void Stop(const std::function<void()>& last = {});

 private:
  const std::function<Status()> refusal_;
  Executor strand_;
  // Whether the shard still takes work. Shared with every guarded handler, which may outlive
  // the mailbox.
  std::shared_ptr<std::atomic<bool>> open_ = std::make_shared<std::atomic<bool>>(true);
  bool stopped_ = false;             // the thread that stops the shard only
  std::atomic<size_t> accepted_{0};  // commands accepted whose job has not run yet

  std::mutex progress_mutex_;
  std::condition_variable progress_;  // Notify
};

}  // namespace assent::engine
