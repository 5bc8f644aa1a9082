// Passive reviewers: N WebSocket connections to /v1/stream (header auth, each with its own
// bearer, so each sees what its user may) that only read, all on one io_context thread. For
// every approval id they record when each connection received its approval.requested and its
// approval.decided, so a fan-out benchmark can check that every connection got every event it
// may see, none it may not, and how late.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace assent::bench {

class StreamWatchers {
 public:
  // When each connection received one approval's events, in steady-clock ms (as NowMs in the
  // drivers); NaN where it did not.
  struct Receipts {
    std::vector<double> requested;
    std::vector<double> decided;
  };

  // Connects one stream per bearer (watcher i authenticates with bearers[i]) and reads their
  // snapshots (blocking, on the caller's thread).
  StreamWatchers(const boost::asio::ip::tcp::endpoint& endpoint,
                 const std::vector<std::string>& bearers);
  ~StreamWatchers();
  StreamWatchers(const StreamWatchers&) = delete;
  StreamWatchers& operator=(const StreamWatchers&) = delete;

  // Reads on a thread of its own from now until Stop.
  void Start();
  // Stops reading and joins the thread; the accessors below are for after Stop, except
  // events_received and closed, which any thread may read at any time.
  void Stop();

  int count() const { return static_cast<int>(watchers_.size()); }
  // Approval events received so far, over all watchers.
  long events_received() const { return events_.load(std::memory_order_relaxed); }
  int closed() const { return closed_.load(std::memory_order_relaxed); }
  // nullptr: no connection received anything about approval `id`.
  const Receipts* Find(const std::string& id) const;
  long duplicates() const { return duplicates_; }  // the same event twice on one connection
  const std::vector<std::string>& close_reasons() const { return close_reasons_; }  // first few

 private:
  class Watcher;
  // Notes the approval events of one frame one watcher received.
  void Record(int watcher, std::string_view frame);
  // One event (kind as the .cc's Kind) seen by `watcher` at `now`.
  void RecordEvent(int watcher, int kind_number, std::string id, double now);
  void OnClosed(std::string reason);

  boost::asio::io_context io_;
  std::vector<std::unique_ptr<Watcher>> watchers_;
  std::thread thread_;
  std::atomic<long> events_{0};
  std::atomic<int> closed_{0};
  // Owned by the reading thread until Stop.
  // Looked up by string_view for every event every watcher sees: no string built per lookup.
  struct IdHash {
    using is_transparent = void;
    size_t operator()(std::string_view id) const { return std::hash<std::string_view>{}(id); }
  };
  std::unordered_map<std::string, Receipts, IdHash, std::equal_to<>> receipts_;
  long duplicates_ = 0;
  std::vector<std::string> close_reasons_;
};

}  // namespace assent::bench
