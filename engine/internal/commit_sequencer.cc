#include "engine/internal/commit_sequencer.h"

#include <cassert>

namespace assent::engine {

CommitSequencer::CommitSequencer(Mailbox& mailbox, storage::EventLog& log, Publish publish,
                                 std::function<void(const std::string&)> on_settled)
    : mailbox_(mailbox),
      log_(log),
      publish_(std::move(publish)),
      on_settled_(std::move(on_settled)) {}

bool CommitSequencer::InFlight(const std::string& run_id) const {
  auto it = runs_.find(run_id);
  return it != runs_.end() && it->second.in_flight;
}

void CommitSequencer::Queue(const std::string& run_id, Job job) {
  assert(InFlight(run_id));
  runs_[run_id].queued.push_back(std::move(job));
}

void CommitSequencer::Commit(const std::string& run_id, storage::AppendBatch batch,
                             std::vector<ApprovalNotification> notifications,
                             std::function<void(Status)> done) {
  assert(!InFlight(run_id) && !batch.records.empty());
  runs_[run_id].in_flight = true;
  {
    std::lock_guard lock(appends_mutex_);
    ++appends_in_flight_;
  }
  // One commit position per notification: its cursor, in commit order.
  batch.positions = static_cast<uint32_t>(notifications.size());
  log_.Append(std::move(batch), [this, run_id, notifications = std::move(notifications),
                                 done = std::move(done)](Status status,
                                                         uint64_t first_position) mutable {
    // On the log's commit thread. Reviewers hear of durable approval events from here, at
    // once: going through the shard's strand first would add its scheduling delay to every
    // notification.
    if (status.ok()) {
      for (size_t i = 0; i < notifications.size(); ++i) {
        notifications[i].cursor = first_position + i;
      }
      publish_(notifications);
    }
    mailbox_.Post([this, run_id, status, done] { OnDurable(run_id, status, done); });
    mailbox_.Notify();
    // Last: once the count is down, WaitForAppends may return and the shard go away.
    std::lock_guard lock(appends_mutex_);
    if (--appends_in_flight_ == 0) appends_done_.notify_all();
  });
}

void CommitSequencer::OnDurable(const std::string& run_id, const Status& status,
                                const std::function<void(Status)>& done) {
  // Element references stay valid while other runs come and go; only this function erases.
  RunSlot& slot = runs_[run_id];
  slot.in_flight = false;
  done(status);
  while (!slot.in_flight && !slot.queued.empty()) {
    Job job = std::move(slot.queued.front());
    slot.queued.pop_front();
    job();
  }
  if (slot.in_flight) return;  // a queued command started the next commit
  runs_.erase(run_id);
  on_settled_(run_id);
}

std::vector<CommitSequencer::Job> CommitSequencer::TakeQueued() {
  std::vector<Job> jobs;
  for (auto& [run_id, slot] : runs_) {
    for (Job& job : slot.queued) jobs.push_back(std::move(job));
    slot.queued.clear();
  }
  return jobs;
}

void CommitSequencer::WaitForAppends() {
  std::unique_lock lock(appends_mutex_);
  appends_done_.wait(lock, [this] { return appends_in_flight_ == 0; });
}

}  // namespace assent::engine
