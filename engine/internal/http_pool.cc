#include "engine/internal/http_pool.h"

#include <sys/socket.h>

#include <cerrno>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>

namespace assent::engine {
namespace {

using Lease = HttpPool::Lease;

// Whether an idle connection can carry another request: its peer has not closed it (recv
// would see end of stream), reset it, or sent anything unasked (a 408, TLS's close_notify).
// A peek, so nothing is consumed; a system call on the descriptor only, so it is safe off the
// connection's strand while the connection sits idle.
bool StillOpen(PooledConnection& connection) {
  char byte;
  ssize_t peeked = ::recv(connection.stream.socket().native_handle(), &byte, 1,
                          MSG_PEEK | MSG_DONTWAIT);
  return peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

// REQUIRES: on the connection's strand, which is the only place its socket is touched.
void Close(PooledConnection& connection) {
  connection.idle_timer.cancel();
  boost::beast::error_code ignored;
  connection.stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  connection.stream.close();
}

}  // namespace

class HttpPool::Core : public std::enable_shared_from_this<Core> {
 public:
  Core(boost::asio::io_context& io, HttpPoolOptions options)
      : io_(io), options_(std::move(options)) {}

  const HttpPoolOptions& options() const { return options_; }

  Status Acquire(const std::string& origin, size_t limit, bool fresh, Granted granted) {
    Handoffs handoffs;
    {
      std::lock_guard lock(mutex_);
      if (stopped_) return Status::Unavailable("outbound calls are stopping");
      Origin& entry = origins_[origin];
      if (entry.waiting.size() >= options_.max_queued_per_origin) {
        return Status::Unavailable(
            std::to_string(entry.waiting.size()) + " calls already wait for a connection to " +
            OriginForHumans(origin) + " (at most " + std::to_string(limit) +
            " open at once; --http-max-queued-per-host)");
      }
      entry.waiting.push_back(Waiter{std::max<size_t>(limit, 1), fresh, std::move(granted)});
      Pump(origin, entry, handoffs);
    }
    handoffs.Deliver();
    return Status::Ok();
  }

  void Release(const Lease& connection, bool reusable) {
    connection->stream.expires_never();
    Handoffs handoffs;
    uint64_t round = 0;
    bool stays_idle = false;
    bool close = !reusable;
    {
      std::lock_guard lock(mutex_);
      if (stopped_) {
        close = true;  // Stop forgot every origin
      } else {
        Origin& entry = origins_[connection->origin];
        if (reusable) {
          connection->reused = true;
          connection->idle = true;
          round = ++connection->idle_round;
          entry.idle.push_back(connection);
        } else {
          --entry.open;
        }
        Pump(connection->origin, entry, handoffs);  // may hand this one on at once
        stays_idle = connection->idle;
        if (entry.open == 0 && entry.waiting.empty()) origins_.erase(connection->origin);
      }
    }
    if (close) Close(*connection);
    // Armed after the lock, still on the strand: a call handed this connection meanwhile runs
    // only after this returns, and the timer then finds its round over.
    if (stays_idle) ArmIdleTimer(connection, round);
    handoffs.Deliver();
  }

  void Stop() {
    std::vector<Lease> idle;
    std::vector<Granted> waiting;
    {
      std::lock_guard lock(mutex_);
      if (stopped_) return;
      stopped_ = true;
      for (auto& [origin, entry] : origins_) {
        for (Lease& connection : entry.idle) {
          connection->idle = false;
          idle.push_back(std::move(connection));
        }
        for (Waiter& waiter : entry.waiting) waiting.push_back(std::move(waiter.granted));
      }
      origins_.clear();
    }
    for (Lease& connection : idle) {
      boost::asio::post(connection->strand, [connection] { Close(*connection); });
    }
    for (Granted& granted : waiting) {
      boost::asio::post(io_, [granted = std::move(granted)] {
        granted(Status::Unavailable("outbound calls are stopping"));
      });
    }
  }

  OriginCounts Counts(const std::string& origin) const {
    std::lock_guard lock(mutex_);
    auto it = origins_.find(origin);
    if (it == origins_.end()) return {};
    return {it->second.open, it->second.idle.size(), it->second.waiting.size()};
  }

 private:
  struct Waiter {
    size_t limit;
    bool fresh;
    Granted granted;
  };
  struct Origin {
    size_t open = 0;          // leased, idle or being opened: what the bound counts
    std::vector<Lease> idle;  // the most recently used last: it is handed out first
    std::deque<Waiter> waiting;
  };
  // Leases granted and connections to close, acted on once the mutex is released.
  struct Handoffs {
    std::vector<std::pair<Lease, Granted>> granted;
    std::vector<Lease> closed;
    void Deliver() {
      for (Lease& connection : closed) {
        boost::asio::post(connection->strand, [connection] { Close(*connection); });
      }
      for (auto& handoff : granted) {
        Lease connection = std::move(handoff.first);
        boost::asio::post(connection->strand, [connection, granted = std::move(handoff.second)] {
          granted(connection);
        });
      }
    }
  };

  // Serves the origin's queue in order while connections allow. REQUIRES: mutex_ held.
  void Pump(const std::string& origin, Origin& entry, Handoffs& handoffs) {
    while (!entry.waiting.empty()) {
      Waiter& waiter = entry.waiting.front();
      Lease connection = waiter.fresh ? nullptr : TakeIdle(entry, handoffs);
      if (connection == nullptr && waiter.fresh && !entry.idle.empty()) {
        // A fresh connection in the place of the oldest idle one.
        Lease oldest = std::move(entry.idle.front());
        entry.idle.erase(entry.idle.begin());
        oldest->idle = false;
        --entry.open;
        handoffs.closed.push_back(std::move(oldest));
      }
      if (connection == nullptr) {
        if (entry.open >= waiter.limit) return;
        connection = std::make_shared<PooledConnection>(boost::asio::make_strand(io_));
        connection->origin = origin;
        ++entry.open;
      }
      handoffs.granted.emplace_back(std::move(connection), std::move(waiter.granted));
      entry.waiting.pop_front();
    }
  }

  // The most recently used idle connection that is still open; the closed ones found on the
  // way are dropped. REQUIRES: mutex_ held.
  static Lease TakeIdle(Origin& entry, Handoffs& handoffs) {
    while (!entry.idle.empty()) {
      Lease connection = std::move(entry.idle.back());
      entry.idle.pop_back();
      connection->idle = false;
      if (StillOpen(*connection)) return connection;
      --entry.open;
      handoffs.closed.push_back(std::move(connection));
    }
    return nullptr;
  }

  void ArmIdleTimer(const Lease& connection, uint64_t round) {
    connection->idle_timer.expires_after(options_.idle_timeout);
    connection->idle_timer.async_wait(
        [weak = weak_from_this(), connection, round](boost::system::error_code ec) {
          std::shared_ptr<Core> core = weak.lock();
          if (ec || core == nullptr) return;
          core->OnIdleTimeout(connection, round);
        });
  }

  // On the connection's strand.
  void OnIdleTimeout(const Lease& connection, uint64_t round) {
    {
      std::lock_guard lock(mutex_);
      if (!connection->idle || connection->idle_round != round) return;  // taken meanwhile
      connection->idle = false;
      auto it = origins_.find(connection->origin);
      if (it == origins_.end()) return;
      Origin& entry = it->second;
      std::erase(entry.idle, connection);
      --entry.open;
      if (entry.open == 0 && entry.waiting.empty()) origins_.erase(it);
    }
    Close(*connection);
  }

  // "https://host:port" without the rest of the key.
  static std::string OriginForHumans(const std::string& origin) {
    return origin.substr(0, origin.find(' '));
  }

  boost::asio::io_context& io_;
  const HttpPoolOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Origin> origins_;  // mutex_
  bool stopped_ = false;                              // mutex_
};

HttpPool::HttpPool(boost::asio::io_context& io, HttpPoolOptions options)
    : core_(std::make_shared<Core>(io, std::move(options))) {}

HttpPool::~HttpPool() { Stop(); }

const HttpPoolOptions& HttpPool::options() const { return core_->options(); }

Status HttpPool::Acquire(const std::string& origin, size_t limit, bool fresh, Granted granted) {
  return core_->Acquire(origin, limit, fresh, std::move(granted));
}

void HttpPool::Release(const Lease& connection, bool reusable) {
  core_->Release(connection, reusable);
}

void HttpPool::Stop() { core_->Stop(); }

HttpPool::OriginCounts HttpPool::Counts(const std::string& origin) const {
  return core_->Counts(origin);
}

}  // namespace assent::engine
