// StreamHub: fans the engine's approval notifications out to every connected reviewer stream.
// It holds one engine subscription for the whole server, serializes each notification once, and
// queues the same shared string to each WebSocketSession.
//
// Owned by Server. Join/Leave are called from session strands, Broadcast from the engine
// thread; all members are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "engine/engine.h"

namespace assent::api {

class WebSocketSession;

class StreamHub {
 public:
  explicit StreamHub(engine::Engine& engine);
  ~StreamHub();
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  // Subscribes to the engine. Call once before any session joins.
  void Start();
  // Unsubscribes; later notifications reach nobody. Idempotent.
  void Stop();

  // From now on the session receives every notification; returns the id to leave with.
  uint64_t Join(std::weak_ptr<WebSocketSession> session);
  void Leave(uint64_t id);
  size_t session_count() const;

 private:
  void Broadcast(const engine::ApprovalNotification& notification);

  engine::Engine& engine_;
  mutable std::mutex mu_;
  std::map<uint64_t, std::weak_ptr<WebSocketSession>> sessions_;  // guarded by mu_
  uint64_t next_id_ = 1;                                          // guarded by mu_
  std::optional<uint64_t> subscription_;                          // guarded by mu_
};

}  // namespace assent::api
