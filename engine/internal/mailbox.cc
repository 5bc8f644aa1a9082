#include "engine/internal/mailbox.h"

#include <future>

namespace assent::engine {

Mailbox::Mailbox(boost::asio::io_context& io, std::function<Status()> refusal)
    : refusal_(std::move(refusal)), strand_(boost::asio::make_strand(io)) {}

Status Mailbox::Accept() {
  // Counted before the refusal check, so Drain cannot miss a command accepted just before
  // the engine began to refuse.
  ++accepted_;
  Status refused = refusal_();
  if (!refused.ok()) --accepted_;
  return refused;
}

void Mailbox::Notify() {
  std::lock_guard lock(progress_mutex_);
  progress_.notify_all();
}

bool Mailbox::Drain(const std::function<bool()>& idle, std::chrono::milliseconds limit) {
  if (stopped_) return true;
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    auto probed = std::make_shared<std::promise<bool>>();
    Post([this, probed, &idle] { probed->set_value(accepted_ == 0 && idle()); });
    if (probed->get_future().get()) return true;
    // Woken by Notify when a commit lands; the bound covers work that gives no notice.
    std::unique_lock lock(progress_mutex_);
    progress_.wait_for(lock, std::chrono::milliseconds(5));
  }
  return false;
}

void Mailbox::Stop(const std::function<void()>& last) {
  if (std::exchange(stopped_, true)) return;
  std::promise<void> done;
  Post([&] {
    if (last) last();
    open_->store(false);
    done.set_value();
  });
  done.get_future().wait();
}

}  // namespace assent::engine
