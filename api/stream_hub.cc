#include "api/stream_hub.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace assent::api {

StreamHub::StreamHub(engine::Engine& engine, StreamHubOptions options)
    : engine_(engine), options_(std::move(options)) {}

StreamHub::~StreamHub() { Stop(); }

void StreamHub::Start() {
  thread_ = std::thread([this] { HandOver(); });
  uint64_t subscription = engine_.Subscribe(
      [this](const engine::ApprovalNotification& notification) { Broadcast(notification); });
  // Read after subscribing: every notification after it reaches Broadcast. Those at or before
  // it were committed before this hub existed, so no cursor below it can be served.
  uint64_t base = engine_.LastCursor();
  std::lock_guard lock(mu_);
  subscription_ = subscription;
  complete_from_ = std::max(complete_from_, base);
  handed_over_ = std::max(handed_over_, base);
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

std::string StreamHub::VisibilityKey(const engine::Principal& principal) {
  // Admins see everything, but "self_approval": false refuses the one who started the run.
  if (principal.admin) return "admin\n" + principal.id;
  std::vector<std::string> groups = principal.groups;
  std::sort(groups.begin(), groups.end());
  // '\n' never occurs in ids or group names, so the fields cannot run into each other.
  std::string key = "user\n" + principal.id;
  for (const std::string& group : groups) key += "\n" + group;
  return key;
}

bool StreamHub::Visible(const engine::Principal& principal,
                        const engine::ApprovalView& approval) const {
  return !options_.visible || options_.visible(principal, approval);
}

StreamHub::Joined StreamHub::Join(std::weak_ptr<StreamSink> session,
                                  const engine::Principal& principal,
                                  std::optional<uint64_t> since) {
  Joined joined;
  std::vector<Entry> missed;
  {
    std::lock_guard lock(mu_);
    joined.id = next_id_++;
    std::string key = VisibilityKey(principal);
    Group& group = groups_[key];
    if (group.sessions.empty()) group.principal = principal;
    group.sessions.emplace(joined.id, std::move(session));
    session_keys_.emplace(joined.id, std::move(key));
    joined.cursor = handed_over_;
    if (since) {
      if (*since < complete_from_ || *since > handed_over_) {
        joined.reset = true;
      } else {
        auto first = std::upper_bound(
            history_.begin(), history_.end(), *since,
            [](uint64_t cursor, const Entry& entry) { return cursor < entry.cursor; });
        missed.assign(first, history_.end());  // pointers only: framed below, unlocked
      }
    }
  }
  std::vector<std::shared_ptr<const std::string>> messages;
  for (const Entry& entry : missed) {
    if (!Visible(principal, entry.texts->approval())) continue;
    messages.push_back(MessageFor(principal, entry));
    if (messages.size() == kReplayFrameMessages) {
      joined.replay.push_back(Frame(messages));
      messages.clear();
    }
  }
  if (!messages.empty()) joined.replay.push_back(Frame(messages));
  return joined;
}

void StreamHub::Leave(uint64_t id) {
  std::lock_guard lock(mu_);
  auto key = session_keys_.find(id);
  if (key == session_keys_.end()) return;
  auto group = groups_.find(key->second);
  group->second.sessions.erase(id);
  if (group->second.sessions.empty()) groups_.erase(group);
  session_keys_.erase(key);
}

const std::shared_ptr<const std::string>& StreamHub::MessageFor(
    const engine::Principal& principal, const Entry& entry) const {
  const NotificationTexts& texts = *entry.texts;
  return texts.Message(texts.decidable() &&
                       options_.deciders(principal, texts.approval()).can_decide);
}

void StreamHub::Broadcast(const engine::ApprovalNotification& notification) {
  std::vector<Entry> entries{
      {notification.cursor, std::make_shared<const NotificationTexts>(
                                notification, options_.deciders ? &options_.deciders : nullptr)}};
  // Declared before the lock: a session released with these must not be destroyed (its
  // destructor leaves the hub, taking mu_) while mu_ is held.
  std::vector<Audience> audiences;
  std::unique_lock lock(mu_);
  if (pending_.empty() && !handing_over_ && CoalescingWindow(session_keys_.size()).count() == 0) {
    // A handful of reviewers and nothing waiting: hand it over here, without waking the hub
    // thread. Under the lock, so nothing the hub thread holds can be overtaken.
    audiences = Record(entries);
    Deliver(entries, audiences);
    lock.unlock();
    return;
  }
  bool wake = pending_.empty();  // else the hub thread is already woken or in its window
  pending_.push_back(std::move(entries.front()));
  lock.unlock();
  if (wake) published_.notify_one();
}

std::vector<StreamHub::Audience> StreamHub::Record(const std::vector<Entry>& entries) {
  for (const Entry& entry : entries) {
    handed_over_ = std::max(handed_over_, entry.cursor);
    if (options_.history == 0) continue;
    history_.push_back(entry);
    if (history_.size() > options_.history) {
      complete_from_ = history_.front().cursor;
      history_.pop_front();
    }
  }
  if (options_.history == 0) complete_from_ = handed_over_;
  std::vector<Audience> audiences;
  audiences.reserve(groups_.size());
  for (const auto& [key, group] : groups_) {
    Audience audience{group.principal, {}};
    for (const auto& [id, weak] : group.sessions) {
      if (auto session = weak.lock()) audience.sessions.push_back(std::move(session));
    }
    if (!audience.sessions.empty()) audiences.push_back(std::move(audience));
  }
  return audiences;
}

void StreamHub::Deliver(const std::vector<Entry>& entries,
                        std::vector<Audience>& audiences) const {
  std::vector<std::shared_ptr<const std::string>> messages;
  if (!options_.visible && !options_.deciders) {
    // Everyone sees everything, and nobody is told whether they may decide: one frame for all.
    for (const Entry& entry : entries) messages.push_back(entry.texts->Message(false));
    std::shared_ptr<const std::string> frame = Frame(messages);
    for (const Audience& audience : audiences) {
      for (const auto& session : audience.sessions) session->Deliver(frame);
    }
    return;
  }
  for (const Audience& audience : audiences) {
    messages.clear();
    for (const Entry& entry : entries) {
      if (Visible(audience.principal, entry.texts->approval())) {
        messages.push_back(MessageFor(audience.principal, entry));
      }
    }
    if (messages.empty()) continue;
    std::shared_ptr<const std::string> frame = Frame(messages);
    for (const auto& session : audience.sessions) session->Deliver(frame);
  }
}

std::shared_ptr<const std::string> StreamHub::Frame(
    const std::vector<std::shared_ptr<const std::string>>& messages) {
  if (messages.size() == 1) return messages.front();
  // Built once and shared by every session of a group: serialized messages in one array.
  size_t bytes = 32;
  for (const auto& message : messages) bytes += message->size() + 1;
  auto frame = std::make_shared<std::string>();
  frame->reserve(bytes);
  frame->append(R"({"type":"batch","messages":[)");
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
    auto window = CoalescingWindow(session_keys_.size());
    if (window.count() > 0 && !stopping_) {
      published_.wait_for(lock, window, [this] { return stopping_; });
    }
    std::vector<Entry> entries;
    entries.swap(pending_);
    handing_over_ = true;  // until delivered, Broadcast queues behind these
    // Recorded before the frames go out: a session joining from here on replays these from
    // the history (or starts after them) and is not among the audiences.
    std::vector<Audience> audiences = Record(entries);
    lock.unlock();
    Deliver(entries, audiences);
    audiences.clear();  // a session may be released here: not while holding mu_ (Leave takes it)
    lock.lock();
    handing_over_ = false;
  }
}

}  // namespace assent::api
