// StreamHub: fans the engine's approval notifications out to every connected reviewer stream.
// It holds one engine subscription for the whole server and serializes each notification once.
// With a handful of reviewers it hands each notification over at once, on the publishing
// thread (the engine's commit thread, so it must stay quick). With many, its own thread does
// it, so the engine never loops over a thousand reviewers, and it gathers notifications over a
// short window first (50 us per reviewer, at most 50 ms; none with up to 16 reviewers) and
// builds one frame of them, {"type":"batch","messages":[...]} when there are several, shared by
// every session: the cost is one wake-up and one write per window per reviewer, not one per
// notification per reviewer. A dashboard a few tens of milliseconds behind is the price of a
// thousand of them not starving the engine.
//
// Owned by Server. Join/Leave are called from session strands, Broadcast from the engine's
// commit thread; all members are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"

namespace assent::api {

class WebSocketSession;

class StreamHub {
 public:
  explicit StreamHub(engine::Engine& engine);
  ~StreamHub();
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  // Subscribes to the engine and starts the hand-over thread. Call once before any session joins.
  void Start();
  // Unsubscribes and stops the thread; later notifications reach nobody. Idempotent.
  void Stop();

  // How long notifications are gathered before they are handed over, for `sessions` reviewers.
  static std::chrono::microseconds CoalescingWindow(size_t sessions);

  // From now on the session receives every notification; returns the id to leave with.
  uint64_t Join(std::weak_ptr<WebSocketSession> session);
  void Leave(uint64_t id);

 private:
  void Broadcast(const engine::ApprovalNotification& notification);
  void HandOver();  // the hub thread
  // What one hand-over sends: the message itself, or a {"type":"batch","messages":[...]} frame.
  static std::shared_ptr<const std::string> Frame(
      const std::vector<std::shared_ptr<const std::string>>& messages);

  engine::Engine& engine_;
  mutable std::mutex mu_;
  std::condition_variable published_;
  std::vector<std::shared_ptr<const std::string>> pending_;  // guarded by mu_
  bool stopping_ = false;                                     // guarded by mu_
  bool handing_over_ = false;  // guarded by mu_: the hub thread is delivering a frame
  std::thread thread_;
  std::map<uint64_t, std::weak_ptr<WebSocketSession>> sessions_;  // guarded by mu_
  uint64_t next_id_ = 1;                                          // guarded by mu_
  std::optional<uint64_t> subscription_;                          // guarded by mu_
};

}  // namespace assent::api
