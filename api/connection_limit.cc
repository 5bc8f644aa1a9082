#include "api/connection_limit.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstdint>
#include <utility>

namespace assent::api {

namespace {

// Whatever the limit, this many descriptors stay for storage; a quarter of a large limit does.
constexpr size_t kMinReserve = 256;
constexpr size_t kMinConnections = 16;
// RLIM_INFINITY or a huge hard limit: connections are still bounded, by this.
constexpr size_t kMaxDefaultConnections = 100'000;

}  // namespace

ConnectionLimit::Slot::Slot(Slot&& other) noexcept : held_(std::move(other.held_)) {}

ConnectionLimit::Slot& ConnectionLimit::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    Slot released(std::move(*this));
    held_ = std::move(other.held_);
  }
  return *this;
}

ConnectionLimit::Slot::~Slot() {
  if (held_ != nullptr) held_->fetch_sub(1, std::memory_order_relaxed);
}

std::optional<ConnectionLimit::Slot> ConnectionLimit::TryAcquire() {
  size_t held = held_->load(std::memory_order_relaxed);
  do {
    if (held >= max_) return std::nullopt;
  } while (!held_->compare_exchange_weak(held, held + 1, std::memory_order_relaxed));
  return Slot(held_);
}

size_t DescriptorReserve(size_t descriptor_limit) {
  return std::max(kMinReserve, descriptor_limit / 4);
}

size_t DescriptorLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return SIZE_MAX;
  }
  return static_cast<size_t>(limit.rlim_cur);
}

size_t DefaultMaxConnections() {
  size_t descriptors = std::min(DescriptorLimit(), kMaxDefaultConnections * 2);
  size_t reserve = DescriptorReserve(descriptors);
  if (descriptors <= reserve + kMinConnections) return kMinConnections;
  return std::min(descriptors - reserve, kMaxDefaultConnections);
}

}  // namespace assent::api
