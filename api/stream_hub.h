// StreamHub: fans the engine's approval notifications out to every connected reviewer stream,
// and keeps the latest of them so that a reviewer who reconnects gets what it missed.
//
// It holds one engine subscription for the whole server and serializes each notification once,
// carrying its cursor (the log's commit order: Engine::Subscribe). With a handful of reviewers
// it hands each notification over at once, on the publishing thread (the engine's commit
// thread, so it must stay quick). With many, its own thread does it, so the engine never loops
// over a thousand reviewers, and it gathers notifications over a short window first (50 us per
// reviewer, at most 50 ms; none with up to 16 reviewers) and builds one frame of them,
// {"type":"batch","messages":[...]} when there are several: the cost is one wake-up and one
// write per window per reviewer, not one per notification per reviewer. A dashboard a few tens
// of milliseconds behind is the price of a thousand of them not starving the engine.
//
// Each reviewer receives only what its principal may see (StreamHubOptions::visible). Sessions
// whose principals are alike (VisibilityKey) form a group that shares one frame per window, so
// a thousand reviewers in ten groups cost ten frames, not a thousand.
//
// With StreamHubOptions::deciders, each message's approval carries "approvers" and
// "can_decide". A pending approval's message has two forms, with "can_decide" false and true
// (NotificationTexts writes each when a group first needs it), and each group gets the one its
// principal's answer picks: the frames stay shared, and deciding costs one access check per
// group and pending message.
//
// Replay: the last `history` notifications stay in memory. A reviewer joining with the cursor
// of the last message it received gets every later one it may see, oldest first, then live
// ones, with no gap and no duplicate. A cursor the hub cannot prove complete (older than what is
// kept, from before this process started while notifications were committed since, or one this
// server never issued) is refused: the session sends a reset and a fresh snapshot instead.
//
// Owned by Server. Join/Leave are called from session strands, Broadcast from the engine's
// commit thread; all members are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/notification_texts.h"
#include "api/stream_visibility.h"
#include "engine/actor.h"
#include "engine/engine.h"

namespace assent::api {

// Where the hub hands a reviewer's frames: a WebSocketSession, or a stand-in in tests and
// benchmarks.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Takes a serialized frame for the reviewer. Called from the hub's or the engine's commit
  // thread: must not block.
  virtual void Deliver(std::shared_ptr<const std::string> frame) = 0;
};

struct StreamHubOptions {
  // Notifications kept for reconnecting reviewers (`assent serve --stream-history`). Each costs
  // its serialized message and the approval it describes, typically a few KiB.
  size_t history = 20'000;
  // Null: every reviewer sees everything.
  StreamVisibility visible = nullptr;
  // Null: messages carry neither "approvers" nor "can_decide".
  StreamDeciders deciders = nullptr;
};

class StreamHub {
 public:
  StreamHub(engine::Engine& engine, StreamHubOptions options = {});
  ~StreamHub();
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  // Subscribes to the engine and starts the hand-over thread. Call once before any session joins.
  void Start();
  // Unsubscribes and stops the thread; later notifications reach nobody. Idempotent.
  void Stop();

  // How long notifications are gathered before they are handed over, for `sessions` reviewers.
  static std::chrono::microseconds CoalescingWindow(size_t sessions);
  // Principals with equal keys see the same messages, with the same "can_decide" (they share
  // frames).
  static std::string VisibilityKey(const engine::Principal& principal);

  struct Joined {
    uint64_t id = 0;      // to leave with
    uint64_t cursor = 0;  // every message after this one reaches the session live
    // Asked with `since` and served: the messages after it the principal may see, oldest first,
    // in frames (a batch frame holds up to kReplayFrameMessages). To be sent before anything
    // the session receives live.
    std::vector<std::shared_ptr<const std::string>> replay;
    // Asked with `since`, and that cursor cannot be served: send a reset and a snapshot.
    bool reset = false;
  };
  static constexpr size_t kReplayFrameMessages = 256;

  // From now on the session receives every notification `principal` may see.
  Joined Join(std::weak_ptr<StreamSink> session, const engine::Principal& principal,
              std::optional<uint64_t> since);
  void Leave(uint64_t id);

  // Whether `principal` may see `approval` (for snapshot pages).
  bool Visible(const engine::Principal& principal, const engine::ApprovalView& approval) const;

 private:
  struct Entry {
    uint64_t cursor;
    std::shared_ptr<const NotificationTexts> texts;
  };
  struct Group {
    engine::Principal principal;
    std::map<uint64_t, std::weak_ptr<StreamSink>> sessions;
  };
  // Who gets a frame: one group's principal and live sessions.
  struct Audience {
    engine::Principal principal;
    std::vector<std::shared_ptr<StreamSink>> sessions;
  };

  void Broadcast(const engine::ApprovalNotification& notification);
  // The entry's message as `principal` receives it.
  const std::shared_ptr<const std::string>& MessageFor(const engine::Principal& principal,
                                                       const Entry& entry) const;
  void HandOver();  // the hub thread
  // Moves `entries` into the history and returns who receives them. REQUIRES: mu_ held.
  std::vector<Audience> Record(const std::vector<Entry>& entries);
  // Builds each audience's frame of `entries` and delivers it. Must not hold mu_: a session
  // released here leaves the hub.
  void Deliver(const std::vector<Entry>& entries, std::vector<Audience>& audiences) const;
  // What one hand-over sends: the message itself, or a {"type":"batch","messages":[...]} frame.
  static std::shared_ptr<const std::string> Frame(
      const std::vector<std::shared_ptr<const std::string>>& messages);

  engine::Engine& engine_;
  const StreamHubOptions options_;
  mutable std::mutex mu_;
  std::condition_variable published_;
  std::vector<Entry> pending_;  // guarded by mu_
  bool stopping_ = false;       // guarded by mu_
  bool handing_over_ = false;   // guarded by mu_: the hub thread is delivering a frame
  std::thread thread_;
  std::map<std::string, Group> groups_;          // guarded by mu_; by VisibilityKey
  std::map<uint64_t, std::string> session_keys_;  // guarded by mu_; session id -> group key
  uint64_t next_id_ = 1;                          // guarded by mu_
  std::optional<uint64_t> subscription_;          // guarded by mu_
  // The replay buffer: handed-over notifications in cursor order, at most options_.history.
  std::deque<Entry> history_;  // guarded by mu_
  // Every notification after `complete_from_` up to `handed_over_` is in history_.
  uint64_t complete_from_ = 0;  // guarded by mu_
  uint64_t handed_over_ = 0;    // guarded by mu_: the last cursor handed to sessions
};

}  // namespace assent::api
