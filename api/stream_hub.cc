#include "api/stream_hub.h"

#include <string>
#include <vector>

#include <boost/json/serialize.hpp>

#include "api/json_views.h"
#include "api/websocket_session.h"

namespace assent::api {

StreamHub::StreamHub(engine::Engine& engine) : engine_(engine) {}

StreamHub::~StreamHub() { Stop(); }

void StreamHub::Start() {
  uint64_t subscription = engine_.Subscribe(
      [this](const engine::ApprovalNotification& notification) { Broadcast(notification); });
  std::lock_guard lock(mu_);
  subscription_ = subscription;
}

void StreamHub::Stop() {
  std::optional<uint64_t> subscription;
  {
    std::lock_guard lock(mu_);
    subscription.swap(subscription_);
  }
  // Outside the lock: the engine may be inside Broadcast, waiting for mu_.
  if (subscription) engine_.Unsubscribe(*subscription);
}

uint64_t StreamHub::Join(std::weak_ptr<WebSocketSession> session) {
  std::lock_guard lock(mu_);
  uint64_t id = next_id_++;
  sessions_.emplace(id, std::move(session));
  return id;
}

void StreamHub::Leave(uint64_t id) {
  std::lock_guard lock(mu_);
  sessions_.erase(id);
}

size_t StreamHub::session_count() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

void StreamHub::Broadcast(const engine::ApprovalNotification& notification) {
  auto message =
      std::make_shared<const std::string>(boost::json::serialize(ToJson(notification)));
  std::vector<std::shared_ptr<WebSocketSession>> targets;
  {
    std::lock_guard lock(mu_);
    targets.reserve(sessions_.size());
    for (const auto& [id, weak] : sessions_) {
      if (auto session = weak.lock()) targets.push_back(std::move(session));
    }
  }
  for (const auto& session : targets) session->Deliver(message);
}

}  // namespace assent::api
