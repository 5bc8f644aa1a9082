#include "engine/internal/mailbox.h"

#include <future>

namespace assent::engine {

namespace asio = boost::asio;

Mailbox::Mailbox(std::function<Status()> refusal)
    : refusal_(std::move(refusal)), work_(io_.get_executor()) {}

Mailbox::~Mailbox() { Stop(); }

void Mailbox::Start() {
  thread_ = std::thread([this] { io_.run(); });
}

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
  if (!thread_.joinable()) return true;
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    std::promise<bool> probed;
    Post([&] { probed.set_value(accepted_ == 0 && idle()); });
    if (probed.get_future().get()) return true;
    // Woken by Notify when a commit lands; the bound covers work that gives no notice.
    std::unique_lock lock(progress_mutex_);
    progress_.wait_for(lock, std::chrono::milliseconds(5));
  }
  return false;
}

void Mailbox::Stop(const std::function<void()>& last) {
  if (!thread_.joinable()) return;
  std::promise<void> done;
  Post([&] {
    if (last) last();
    io_.stop();  // here, so nothing queued behind this job runs after `last`
    done.set_value();
  });
  done.get_future().wait();
  work_.reset();
  thread_.join();
}

}  // namespace assent::engine
