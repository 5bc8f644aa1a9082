// GroupCommitter: the append queue and commit thread behind every EventLog implementation.
//
// Callers Submit a batch and return at once. One commit thread takes everything queued (up to
// the limits, never waiting for more to arrive), hands the group to the write function for ONE
// atomic, synced write, then runs each batch's callback in submission order with the result.
// A write refused for now (kUnavailable: the disk is full, the log is read-only) fails its
// group only: nothing of it was written, and later groups are tried again. After any other
// failed write the committer is broken: that group and every later batch fail with IOError
// without reaching the write function, because the engine must crash and recover rather than
// build on a log whose tail is unknown.
//
// Used by RocksEventLog and MemEventLog; a batch failing internal::ValidateBatch is answered
// InvalidArgument in its turn and never written. Thread safety: Submit and stats may be called
// from any thread, including from a callback (which must not then wait for its own batch).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "storage/event_log.h"
#include "base/status.h"

namespace assent::storage {

// Bounds on one group, so a burst of appends cannot make one write (and the latency of the
// first batch in it) arbitrarily large. A single batch above max_bytes still commits, alone.
inline constexpr size_t kMaxGroupBytes = 4 << 20;
inline constexpr size_t kMaxGroupBatches = 1024;

struct GroupLimits {
  size_t max_bytes = kMaxGroupBytes;
  size_t max_batches = kMaxGroupBatches;
};

// Counters for tests and metrics: writes < batches means group commit grouped.
struct CommitStats {
  uint64_t writes = 0;   // calls of the write function
  uint64_t batches = 0;  // batches that reached the write function
};

class GroupCommitter {
 public:
  // Writes all of `group` atomically and durably, or nothing; may move data out of the batches.
  // A failure is what every batch of the group receives: kUnavailable when the write was
  // refused and nothing written (retrying later may succeed), IOError for a real write error.
  // `last_position`: set when the group takes commit positions, the last one it takes; a
  // durable log writes it in the same atomic write, to start from on reopening.
  using WriteFn = std::function<Status(std::vector<AppendBatch>& group,
                                       std::optional<uint64_t> last_position)>;

  // `last_position`: the last commit position already taken (what the log kept; 0: none).
  explicit GroupCommitter(WriteFn write, GroupLimits limits = {}, uint64_t last_position = 0);
  // Commits everything already submitted, runs its callbacks, then joins the commit thread.
  // REQUIRES: no Submit concurrent with or after destruction.
  ~GroupCommitter();

  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  void Submit(AppendBatch batch, AppendCallback done);

  CommitStats stats() const;
  // The last commit position a durable batch took. Advanced before that group's callbacks run.
  uint64_t last_position() const { return last_position_.load(); }

 private:
  struct Pending {
    AppendBatch batch;
    AppendCallback done;
    Status validation;  // not ok: answered with this status, never written
    size_t bytes = 0;
  };

  void Run();
  // Takes the next group off the queue. REQUIRES: mu_ held, queue_ not empty.
  std::vector<Pending> TakeGroup();
  // Writes the valid batches of `group` (unless broken) and runs every callback in order.
  void Commit(std::vector<Pending>& group);

  const WriteFn write_;
  const GroupLimits limits_;

  std::mutex mu_;
  std::condition_variable queued_;  // signalled on Submit and on shutdown
  std::deque<Pending> queue_;       // guarded by mu_
  bool stopping_ = false;           // guarded by mu_

  Status broken_;  // commit thread only: the failure of the first write that broke the log
  std::atomic<uint64_t> last_position_;  // written by the commit thread only
  std::atomic<uint64_t> writes_{0};
  std::atomic<uint64_t> batches_{0};

  std::thread thread_;  // last: starts after every member it uses is initialised
};

}  // namespace assent::storage
