#include "api/stream_hub.h"

#include <algorithm>
#include <string>
#include <vector>

#include "api/json_views.h"
#include "api/json_writer.h"
#include "api/websocket_session.h"

namespace assent::api {

StreamHub::StreamHub(engine::Engine& engine) : engine_(engine) {}

StreamHub::~StreamHub() { Stop(); }

void StreamHub::Start() {
  thread_ = std::thread([this] { HandOver(); });
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
    stopping_ = true;
  }
  published_.notify_all();
  // Outside the lock: the engine may be inside Broadcast, waiting for mu_.
  if (subscription) engine_.Unsubscribe(*subscription);
  if (thread_.joinable()) thread_.join();
}

std::chrono::microseconds StreamHub::CoalescingWindow(size_t sessions) {
  constexpr size_t kImmediateUpTo = 16;
  if (sessions <= kImmediateUpTo) return std::chrono::microseconds(0);
  return std::min(std::chrono::microseconds(50 * sessions), std::chrono::microseconds(50'000));
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

void StreamHub::Broadcast(const engine::ApprovalNotification& notification) {
  auto message =
      std::make_shared<const std::string>(WriteJson(ToJson(notification)));
  // Declared before the lock: a session released with these must not be destroyed (its
  // destructor leaves the hub, taking mu_) while mu_ is held.
  std::vector<std::shared_ptr<WebSocketSession>> targets;
  std::unique_lock lock(mu_);
  if (pending_.empty() && !handing_over_ && CoalescingWindow(sessions_.size()).count() == 0) {
    // A handful of reviewers and nothing waiting: hand it over here, without waking the hub
    // thread. Under the lock, so nothing the hub thread holds can be overtaken.
    for (const auto& [id, weak] : sessions_) {
      if (auto session = weak.lock()) targets.push_back(std::move(session));
    }
    for (const auto& session : targets) session->Deliver(message);
    lock.unlock();
    return;
  }
  bool wake = pending_.empty();  // else the hub thread is already woken or in its window
  pending_.push_back(std::move(message));
  lock.unlock();
  if (wake) published_.notify_one();
}

std::shared_ptr<const std::string> StreamHub::Frame(
    const std::vector<std::shared_ptr<const std::string>>& messages) {
  if (messages.size() == 1) return messages.front();
  // Built once and shared by every session: serialized messages spliced into one array.
  auto frame = std::make_shared<std::string>(R"({"type":"batch","messages":[)");
  for (size_t i = 0; i < messages.size(); ++i) {
    if (i > 0) frame->push_back(',');
    frame->append(*messages[i]);
  }
  frame->append("]}");
  return frame;
}

void StreamHub::HandOver() {
  std::unique_lock lock(mu_);
  for (;;) {
    published_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, with everything handed over
    auto window = CoalescingWindow(sessions_.size());
    if (window.count() > 0 && !stopping_) {
      published_.wait_for(lock, window, [this] { return stopping_; });
    }
    std::vector<std::shared_ptr<const std::string>> messages;
    messages.swap(pending_);
    handing_over_ = true;  // until delivered, Broadcast queues behind these
    std::shared_ptr<const std::string> frame = Frame(messages);
    std::vector<std::shared_ptr<WebSocketSession>> targets;
    targets.reserve(sessions_.size());
    for (const auto& [id, weak] : sessions_) {
      if (auto session = weak.lock()) targets.push_back(std::move(session));
    }
    lock.unlock();
    for (const auto& session : targets) session->Deliver(frame);
    targets.clear();  // a session may be released here: not while holding mu_ (Leave takes it)
    lock.lock();
    handing_over_ = false;
  }
}

}  // namespace assent::api
