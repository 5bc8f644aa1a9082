#include "engine/internal/run_timers.h"

#include <algorithm>
#include <future>
#include <vector>

#include "engine/internal/index_keys.h"

namespace assent::engine {

namespace asio = boost::asio;

RunTimers::RunTimers(asio::io_context& io, storage::EventLog& log, Logger& logger,
                               std::function<int64_t()> now_ms, std::chrono::milliseconds poll,
                               Fire fire)
    : strand_(asio::make_strand(io)),
      log_(log),
      logger_(logger),
      now_ms_(std::move(now_ms)),
      poll_(poll),
      fire_(std::move(fire)),
      wake_(strand_) {}

RunTimers::~RunTimers() { Stop(); }

Status RunTimers::Start() {
  {
    std::lock_guard lock(mu_);
    if (Status loaded = LoadIfNeeded(now_ms_()); !loaded.ok()) return loaded;
  }
  started_ = true;
  asio::post(strand_, [this] { Tick(); });
  return Status::Ok();
}

void RunTimers::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  if (!started_) return;  // nothing runs on the strand yet (and its io may not run at all)
  // Cancelled on the strand, so no Tick is running or starts once this returns.
  std::promise<void> cancelled;
  asio::post(strand_, [this, &cancelled] {
    wake_.cancel();
    cancelled.set_value();
  });
  cancelled.get_future().wait();
}

void RunTimers::Armed(int64_t due_at_ms, const std::string& timer_id,
                           const std::string& run_id) {
  std::lock_guard lock(mu_);
  // A later window's load finds it in the index.
  if (due_at_ms >= loaded_until_ms_) return;
  loaded_.try_emplace(Key{due_at_ms, timer_id}, Entry{run_id, 0});
  // Due before anything the wake was armed for: look again now.
  if (loaded_.begin()->first.second == timer_id && !stopped_) {
    asio::post(strand_, [this] { Tick(); });
  }
}

void RunTimers::Disarmed(int64_t due_at_ms, const std::string& timer_id) {
  std::lock_guard lock(mu_);
  loaded_.erase(Key{due_at_ms, timer_id});
}

size_t RunTimers::loaded() const {
  std::lock_guard lock(mu_);
  return loaded_.size();
}

Status RunTimers::LoadIfNeeded(int64_t now) {
  if (now < loaded_until_ms_) return Status::Ok();
  // Everything due before loaded_until_ms_ is loaded already; the window goes on from there.
  const int64_t window_end = std::max(now, loaded_until_ms_) + kWindowMs;
  const std::string from = TimerKey(loaded_until_ms_, "");
  const std::string end = TimerKey(window_end, "");
  int64_t stopped_at = window_end;
  size_t added = 0;
  Status scanned = log_.ScanIndexFrom(
      storage::Index::kTimers, "", from,
      [&](std::string_view key, std::string_view value) {
        if (key >= end) return false;
        auto parts = DecodeTimerKey(key);
        if (!parts) {
          logger_.Error("malformed timer key skipped", {{"key_bytes", key.size()}});
          return true;
        }
        // Full, and past the entries that share the last due time: the window ends here.
        if (added >= kMaxLoaded && parts->due_at_ms != std::prev(loaded_.end())->first.first) {
          stopped_at = parts->due_at_ms;
          return false;
        }
        added += loaded_.try_emplace(Key{parts->due_at_ms, std::string(parts->timer_id)},
                                     Entry{std::string(value), 0})
                     .second;
        return true;
      });
  if (!scanned.ok()) return scanned;
  loaded_until_ms_ = stopped_at;
  return Status::Ok();
}

void RunTimers::Tick() {
  std::vector<std::pair<Key, std::string>> due;  // fired outside the lock
  int64_t now = now_ms_();
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    if (Status loaded = LoadIfNeeded(now); !loaded.ok()) {
      // The next tick tries again; timers already loaded still fire.
      logger_.Error("run timers could not be loaded", {{"error", loaded.ToString()}});
    }
    for (auto& [key, entry] : loaded_) {
      if (key.first > now) break;
      if (entry.fire_after_ms > now) continue;
      entry.fire_after_ms = now + kRefireAfterMs;
      due.emplace_back(key, entry.run_id);
    }
  }
  for (const auto& [key, run_id] : due) fire_(run_id, key.second, key.first);
  ArmWake(now);
}

void RunTimers::ArmWake(int64_t now) {
  int64_t next = now + poll_.count();
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    next = std::min(next, loaded_until_ms_);
    for (const auto& [key, entry] : loaded_) {
      next = std::min(next, std::max(key.first, entry.fire_after_ms));
      if (key.first >= next) break;  // later entries are due later still
    }
  }
  wake_.expires_after(std::chrono::milliseconds(std::max<int64_t>(next - now, 0)));
  wake_.async_wait([this](boost::system::error_code ec) {
    if (!ec) Tick();  // else cancelled: stopped, or re-armed by an earlier Tick
  });
}

}  // namespace assent::engine
