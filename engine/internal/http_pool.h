// HttpPool: the outbound connections of http steps and webhook deliveries, kept open (HTTP/1.1
// keep-alive) and bounded per origin, so that a recovery or a burst queues its calls instead of
// opening hundreds of connections at once to one payee.
//
// An origin is everything a connection is good for: scheme, host, port, and for https the CA
// file it was verified against (and whether link-local addresses were allowed when it was
// resolved). At most `limit` connections to one origin are open at once (idle ones included);
// a call that finds none idle and the bound reached waits in a FIFO queue (at most
// max_queued_per_origin, then Acquire refuses) until a connection is handed back or closed.
// An idle connection is closed after idle_timeout, and one the peer has closed (or that holds
// unread bytes) is never handed out: Acquire peeks at its socket first.
//
// Only the bookkeeping is here; HttpCall (http_call.cc) connects, sends and reads. Each
// connection has a strand of its own: its socket, TLS session and idle timer are touched only
// there, and a lease is granted on it.
//
// Thread safety: Acquire, Release and Stop from any thread (one mutex guards the origins, and
// no callback runs under it). Release must be called on the connection's strand.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "base/status.h"

namespace assent::engine {

struct HttpPoolOptions {
  // A call that names no bound of its own (HttpCallRequest::max_connections) gets this one
  // (EngineOptions::http_max_connections_per_host).
  size_t max_connections_per_origin = 8;
  size_t max_queued_per_origin = 10'000;  // EngineOptions::http_max_queued_per_host
  std::chrono::milliseconds idle_timeout{30'000};
};

// One connection to one origin, leased to one call at a time.
struct PooledConnection {
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  explicit PooledConnection(Strand strand) : strand(strand), stream(strand), idle_timer(strand) {}

  Strand strand;
  boost::beast::tcp_stream stream;
  // https only: the session over `stream` (declared after it, so destroyed before it).
  std::unique_ptr<boost::asio::ssl::context> tls_context;
  std::unique_ptr<boost::asio::ssl::stream<boost::beast::tcp_stream&>> tls;
  bool connected = false;  // false: fresh, the lessee connects it (and sets up TLS)
  bool reused = false;     // it carried a request before this lease

  // The pool's own, below.
  boost::asio::steady_timer idle_timer;
  bool idle = false;        // in its origin's idle list; HttpPool's mutex
  uint64_t idle_round = 0;  // which stay in the idle list the armed timer is for; the mutex
  std::string origin;       // set once, before it is shared
};

class HttpPool {
 public:
  using Lease = std::shared_ptr<PooledConnection>;
  // Called once, on the connection's strand, or with kUnavailable when the pool stopped.
  using Granted = std::function<void(Result<Lease>)>;

  // `io` runs the connections' strands; it must outlive the pool or stop before it.
  HttpPool(boost::asio::io_context& io, HttpPoolOptions options);
  ~HttpPool();  // Stop()
  HttpPool(const HttpPool&) = delete;
  HttpPool& operator=(const HttpPool&) = delete;

  const HttpPoolOptions& options() const;

  // A connection to `origin` for one call: an idle one, or a fresh one (connected == false)
  // while fewer than `limit` are open, else the call waits its turn. `fresh`: never an idle
  // one (a retry after a reused one turned out closed). Not Ok (and `granted` never called)
  // when the origin's queue is full or the pool stopped.
  Status Acquire(const std::string& origin, size_t limit, bool fresh, Granted granted);

  // The lessee is done. `reusable`: a complete exchange on a connection that stays open, which
  // goes to the next call waiting for its origin, or waits idle; else it is closed and its
  // place goes to the next call. REQUIRES: on the connection's strand.
  void Release(const Lease& connection, bool reusable);

  // Closes every idle connection and answers every waiting call kUnavailable; Acquire refuses
  // from now on. Calls under way finish on their connections. Idempotent.
  void Stop();

  // How many connections to `origin` are open (leased, idle, or being opened) and how many
  // calls wait for one. For tests and logs.
  struct OriginCounts {
    size_t open = 0;
    size_t idle = 0;
    size_t queued = 0;
  };
  OriginCounts Counts(const std::string& origin) const;

 private:
  class Core;
  std::shared_ptr<Core> core_;  // shared with idle timers' handlers, which may outlive the pool
};

}  // namespace assent::engine
