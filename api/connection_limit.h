// ConnectionLimit: counts the connections a server holds open against a maximum, so that a flood
// of clients (idle, slow or hostile) runs into a refusal instead of the process's descriptor
// limit, which storage needs too (a new WAL or SST file failing with EMFILE stops the engine).
//
// Shared by the listener (which takes a slot per accepted socket) and the sessions (which hold
// it until their socket closes). Thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>

namespace assent::api {

class ConnectionLimit {
 public:
  // A held slot; released when destroyed. Movable, so an HttpSession can hand its slot to the
  // WebSocketSession it upgrades to.
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& other) noexcept;
    Slot& operator=(Slot&& other) noexcept;
    ~Slot();

   private:
    friend class ConnectionLimit;
    explicit Slot(std::shared_ptr<std::atomic<size_t>> held) : held_(std::move(held)) {}
    // The count it is part of, shared: a slot may outlive its ConnectionLimit (a session or a
    // lingering close destroyed with the io_context after the server is gone).
    std::shared_ptr<std::atomic<size_t>> held_;
  };

  // REQUIRES: max > 0
  explicit ConnectionLimit(size_t max) : max_(max) {}
  ConnectionLimit(const ConnectionLimit&) = delete;
  ConnectionLimit& operator=(const ConnectionLimit&) = delete;

  // A slot, or nullopt when `max` are held.
  std::optional<Slot> TryAcquire();
  size_t max() const { return max_; }

 private:
  const std::shared_ptr<std::atomic<size_t>> held_ = std::make_shared<std::atomic<size_t>>(0);
  const size_t max_;
};

// Descriptors `assent serve` leaves to storage and outgoing calls: the connection limit derived
// from RLIMIT_NOFILE stays this far below it. RocksDB keeps at most 192 table files open
// (storage/rocks_event_log.cc), plus its WAL, MANIFEST, LOCK and LOG files; http steps open
// sockets.
size_t DescriptorReserve(size_t descriptor_limit);

// The default --max-connections: the soft RLIMIT_NOFILE minus DescriptorReserve, at least 16.
size_t DefaultMaxConnections();

// The soft RLIMIT_NOFILE (SIZE_MAX when unlimited).
size_t DescriptorLimit();

}  // namespace assent::api
