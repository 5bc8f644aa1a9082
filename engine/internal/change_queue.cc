#include "engine/internal/change_queue.h"

#include <utility>

#include "engine/internal/audit_index.h"
#include "schemas/event_generated.h"

namespace assent::engine {

ChangeQueue::ChangeQueue(storage::EventLog& log, std::string stream_id, ApplyEvent apply)
    : log_(log), stream_id_(std::move(stream_id)), apply_(std::move(apply)) {}

ChangeQueue::~ChangeQueue() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return !busy_; });
}

void ChangeQueue::Submit(Decide decide) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(decide));
    if (busy_) return;  // the change under way pumps this one when it is done
    busy_ = true;
  }
  Pump();
}

void ChangeQueue::Pump() {
  for (;;) {
    Decide decide;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.empty()) {
        busy_ = false;
        idle_.notify_all();
        return;
      }
      decide = std::move(queue_.front());
      queue_.pop_front();
    }
    Change change = decide();
    if (change.events.empty()) continue;
    storage::AppendBatch batch;
    for (const std::string& event : change.events) {
      const fb::Event& stored = *fb::GetEvent(event.data());
      batch.records.push_back({stream_id_, stored.seq(), event});
      // Who changed which user or token goes into the audit index with the change itself.
      for (storage::IndexOp& op : AuditIndexOps(stored, "")) {
        batch.index_ops.push_back(std::move(op));
      }
    }
    log_.Append(std::move(batch), [this, change = std::move(change)](Status status, uint64_t /*first_position*/) {
      if (status.ok()) {
        for (const std::string& event : change.events) apply_(event);
      }
      change.answer(std::move(status));
      Pump();
    });
    return;
  }
}

}  // namespace assent::engine
