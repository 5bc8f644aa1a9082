// AuthThrottle: limits failed authentications per client address, so a token cannot be guessed
// at network speed. Each address has a bucket of `burst` tries that refills at `burst` per
// `window`; every failure takes one. An address with an empty bucket is refused (429 with
// Retry-After) before its token is even compared. Successes cost nothing. The bucket is kept as
// one time (the generic cell rate algorithm): when it will be full again, in exact durations.
//
// IPv6 addresses count per /64, the block one host usually holds, so rotating addresses within
// it gains nothing. The table holds at most `max_addresses`; when full, full buckets (the same
// as no entry) are dropped first, then the one closest to full.
//
// Owned by the Authenticator. Thread-safe (one mutex; held for a map lookup).
#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace assent::api {

class AuthThrottle {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  struct Options {
    size_t burst = 10;  // 0: no throttling
    std::chrono::seconds window = std::chrono::seconds(60);
    size_t max_addresses = 10'000;
    Clock clock = [] { return std::chrono::steady_clock::now(); };
  };

  explicit AuthThrottle(Options options);

  // Zero when `client` may try; otherwise how long until it may (at least one second).
  std::chrono::seconds RetryAfter(const boost::asio::ip::address& client);
  // Takes one try from `client`'s bucket.
  void RecordFailure(const boost::asio::ip::address& client);

 private:
  using Time = std::chrono::steady_clock::time_point;

  // Makes room for one more entry. REQUIRES: mutex_ held.
  void Evict(Time now);

  const Options options_;
  // The time one try takes to come back: window / burst.
  const std::chrono::steady_clock::duration refill_;
  std::mutex mutex_;
  // By address key: when that address's bucket is full again (later than now while it holds
  // entries; a bucket is empty while this is more than window - refill_ away).
  std::unordered_map<std::string, Time> full_at_;
};

}  // namespace assent::api
