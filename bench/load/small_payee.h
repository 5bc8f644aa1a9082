// SmallPayee: a deliberately small HTTP service on 127.0.0.1 (port chosen by the OS), the
// "small local payee" of a burst benchmark. It holds at most `max_open` connections at once;
// the next ones wait in a listen backlog of `backlog` (beyond it the kernel drops their SYNs
// and the clients' kernels try again after 1, 3, 7 s...). Requests are answered by `workers`
// workers, each taking `service` per request, in arrival order. While paused it reads requests
// and holds them unanswered (a connection whose client goes away is closed either way).
//
// One thread runs it; the counts are read from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace assent::bench {

struct SmallPayeeOptions {
  int max_open = 32;
  int backlog = 16;
  int workers = 4;
  std::chrono::microseconds service{5'000};
};

class SmallPayee {
 public:
  explicit SmallPayee(SmallPayeeOptions options);
  ~SmallPayee();
  SmallPayee(const SmallPayee&) = delete;
  SmallPayee& operator=(const SmallPayee&) = delete;

  uint16_t port() const;
  void Pause();
  void Resume();  // answers what it holds, then everything as it comes

  struct Counts {
    size_t accepted = 0;   // connections
    size_t most_open = 0;  // connections at once
    size_t answered = 0;   // requests
  };
  Counts counts() const;
  void ResetCounts();  // `most_open` starts again from the connections open now

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace assent::bench
