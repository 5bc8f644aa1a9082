#include "api/auth_throttle.h"

#include <algorithm>
#include <cstdint>

namespace assent::api {

namespace {

// The table key: an IPv4 address (IPv4-mapped IPv6 included) whole, an IPv6 address's /64.
std::string AddressKey(const boost::asio::ip::address& address) {
  if (address.is_v4()) return address.to_string();
  boost::asio::ip::address_v6 v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string();
  }
  boost::asio::ip::address_v6::bytes_type bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

}  // namespace

AuthThrottle::AuthThrottle(Options options)
    : options_(std::move(options)),
      refill_(options_.burst == 0 ? std::chrono::steady_clock::duration::zero()
                                  : std::chrono::steady_clock::duration(options_.window) /
                                        static_cast<int64_t>(options_.burst)) {}

std::chrono::seconds AuthThrottle::RetryAfter(const boost::asio::ip::address& client) {
  if (options_.burst == 0) return std::chrono::seconds(0);
  std::lock_guard lock(mutex_);
  if (full_at_.empty()) return std::chrono::seconds(0);  // no failures: skip the address key
  auto it = full_at_.find(AddressKey(client));
  if (it == full_at_.end()) return std::chrono::seconds(0);
  Time now = options_.clock();
  // Empty while refilling to full takes longer than the window less one try.
  auto wait = (it->second - now) - (options_.window - refill_);
  if (wait <= std::chrono::steady_clock::duration::zero()) return std::chrono::seconds(0);
  return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(wait));
}

void AuthThrottle::RecordFailure(const boost::asio::ip::address& client) {
  if (options_.burst == 0) return;
  Time now = options_.clock();
  std::string key = AddressKey(client);
  std::lock_guard lock(mutex_);
  auto it = full_at_.find(key);
  if (it == full_at_.end()) {
    if (full_at_.size() >= options_.max_addresses) Evict(now);
    it = full_at_.emplace(std::move(key), now).first;
  }
  it->second = std::max(it->second, now) + refill_;
}

void AuthThrottle::Evict(Time now) {
  std::erase_if(full_at_, [&](const auto& entry) { return entry.second <= now; });
  if (full_at_.size() < options_.max_addresses || full_at_.empty()) return;
  full_at_.erase(
      std::min_element(full_at_.begin(), full_at_.end(),
                       [](const auto& a, const auto& b) { return a.second < b.second; }));
}

}  // namespace assent::api
