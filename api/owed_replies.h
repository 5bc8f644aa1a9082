// OwedReplies: counts the answers the server still owes its clients (an HTTP request handed to
// the handler whose response is not yet written, a WebSocket command not yet answered), so that
// Server::Stop can let them go out before it stops the io threads.
//
// Owned by the ServerContext. Thread-safe; a Ticket may be released on any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace assent::api {

class OwedReplies {
 public:
  // One owed reply; releasing (destroying) it settles the debt. Move-only.
  class Ticket {
   public:
    Ticket() = default;
    explicit Ticket(OwedReplies* owner) : owner_(owner) {}
    Ticket(Ticket&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
    Ticket& operator=(Ticket&& other) noexcept;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() { Release(); }

    void Release();

   private:
    OwedReplies* owner_ = nullptr;
  };

  Ticket Owe();
  // Waits until nothing is owed or `timeout` passes; true when nothing is owed.
  bool WaitUntilSettled(std::chrono::milliseconds timeout);

 private:
  void Settle();

  std::mutex mu_;
  std::condition_variable settled_;
  size_t owed_ = 0;  // guarded by mu_
};

}  // namespace assent::api
