// CommitSequencer: one commit in flight per run. A command for a run whose batch is being synced
// waits in the run's queue, so every command decides on durable state and a failed commit can
// be undone by re-reading the log. Runs of all shards still share syncs through the log's group
// commit.
//
// When a batch is durable the log's commit thread hands the approval notifications it carries
// to `publish` at once (reviewers must not wait for the shard's strand), then the shard's strand
// runs the commit's `done`, then the run's queued commands in order, until one of them starts
// the next commit or the queue is empty. `on_settled` then learns that the run has nothing in
// flight or queued.
//
// Thread safety: everything on the shard's strand, but WaitForAppends (any thread).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "engine/internal/mailbox.h"
#include "engine/views.h"
#include "storage/event_log.h"

namespace assent::engine {

class CommitSequencer {
 public:
  using Job = std::function<void()>;
  using Publish = std::function<void(const std::vector<ApprovalNotification>&)>;

  CommitSequencer(Mailbox& mailbox, storage::EventLog& log, Publish publish,
                  std::function<void(const std::string& run_id)> on_settled);
  CommitSequencer(const CommitSequencer&) = delete;
  CommitSequencer& operator=(const CommitSequencer&) = delete;

  // Whether a commit of the run is in flight or commands wait for one.
  bool Busy(const std::string& run_id) const { return runs_.contains(run_id); }
  bool InFlight(const std::string& run_id) const;
  // Nothing in flight or queued for any run.
  bool Idle() const { return runs_.empty(); }

  // `job` runs once the run's commit in flight (and everything queued before) has landed.
  // REQUIRES: InFlight(run_id).
  void Queue(const std::string& run_id, Job job);

  // Appends `batch`; once it is durable (or failed) runs `done` on the shard's strand.
  // REQUIRES: !InFlight(run_id); batch holds records.
  void Commit(const std::string& run_id, storage::AppendBatch batch,
              std::vector<ApprovalNotification> notifications,
              std::function<void(Status)> done);

  // Every job still queued, in order, leaving the queues empty (for a shard that stops).
  std::vector<Job> TakeQueued();

  // Any thread: waits until no append callback is outstanding, so none can reach a shard that
  // is gone.
  void WaitForAppends();

 private:
  struct RunSlot {
    bool in_flight = false;
    std::deque<Job> queued;
  };

  void OnDurable(const std::string& run_id, const Status& status,
                 const std::function<void(Status)>& done);

  Mailbox& mailbox_;
  storage::EventLog& log_;
  const Publish publish_;
  const std::function<void(const std::string&)> on_settled_;
  std::unordered_map<std::string, RunSlot> runs_;  // runs with a commit in flight or queued

  std::mutex appends_mutex_;
  std::condition_variable appends_done_;
  size_t appends_in_flight_ = 0;  // guarded by appends_mutex_
};

}  // namespace assent::engine
