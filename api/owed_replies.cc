#include "api/owed_replies.h"

namespace assent::api {

OwedReplies::Ticket& OwedReplies::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    Release();
    owner_ = other.owner_;
    other.owner_ = nullptr;
  }
  return *this;
}

void OwedReplies::Ticket::Release() {
  if (owner_ != nullptr) owner_->Settle();
  owner_ = nullptr;
}

OwedReplies::Ticket OwedReplies::Owe() {
  std::lock_guard lock(mu_);
  ++owed_;
  return Ticket(this);
}

bool OwedReplies::WaitUntilSettled(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return settled_.wait_for(lock, timeout, [this] { return owed_ == 0; });
}

void OwedReplies::Settle() {
  std::lock_guard lock(mu_);
  if (--owed_ == 0) settled_.notify_all();
}

}  // namespace assent::api
