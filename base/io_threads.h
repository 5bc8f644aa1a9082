// IoThreads: an io_context and the threads that run it. `assent serve` runs one that the server
// and the engine's shards share; an engine given none runs its own (tests, tools, the embedded
// benchmark).
#pragma once

#include <cstddef>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace assent {

class IoThreads {
 public:
  explicit IoThreads(size_t threads);
  ~IoThreads();  // Join()
  IoThreads(const IoThreads&) = delete;
  IoThreads& operator=(const IoThreads&) = delete;

  boost::asio::io_context& io() { return io_; }
  // Stops the io_context (handlers still queued are dropped, a call still under way is
  // abandoned) and joins the threads. REQUIRES: what runs on it has stopped. Idempotent.
  void Join();

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
};

}  // namespace assent
