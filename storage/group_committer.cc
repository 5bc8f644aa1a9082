#include "storage/group_committer.h"

#include <utility>

#include "storage/internal/records.h"

namespace assent::storage {
namespace {

// Approximate write size of a batch: what the group byte limit counts.
size_t BatchBytes(const AppendBatch& batch) {
  size_t bytes = 0;
  for (const Record& record : batch.records) {
    bytes += record.run_id.size() + sizeof(record.seq) + record.bytes.size();
  }
  for (const IndexOp& op : batch.index_ops) {
    bytes += op.key.size() + (op.value ? op.value->size() : 0);
  }
  return bytes;
}

}  // namespace

GroupCommitter::GroupCommitter(WriteFn write, GroupLimits limits, uint64_t last_position)
    : write_(std::move(write)),
      limits_(limits),
      last_position_(last_position),
      thread_([this] { Run(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  queued_.notify_one();
  thread_.join();
}

void GroupCommitter::Submit(AppendBatch batch, AppendCallback done) {
  // Validated on the caller's thread: the checks run in parallel and off the commit path.
  Status validation = internal::ValidateBatch(batch);
  size_t bytes = BatchBytes(batch);
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(Pending{std::move(batch), std::move(done), std::move(validation), bytes});
  }
  queued_.notify_one();
}

CommitStats GroupCommitter::stats() const { return CommitStats{writes_.load(), batches_.load()}; }

void GroupCommitter::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything submitted is committed
    std::vector<Pending> group = TakeGroup();
    lock.unlock();  // never held across the write or the callbacks
    Commit(group);
    lock.lock();
  }
}

std::vector<GroupCommitter::Pending> GroupCommitter::TakeGroup() {
  std::vector<Pending> group;
  size_t bytes = 0;
  while (!queue_.empty() && group.size() < limits_.max_batches &&
         (group.empty() || bytes + queue_.front().bytes <= limits_.max_bytes)) {
    bytes += queue_.front().bytes;
    group.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return group;
}

void GroupCommitter::Commit(std::vector<Pending>& group) {
  std::vector<AppendBatch> valid;
  // Each valid batch's first position, in group order: handed out only once the write is in.
  std::vector<uint64_t> first_positions;
  uint64_t next_position = last_position_.load() + 1;
  for (Pending& pending : group) {
    first_positions.push_back(next_position);
    if (!pending.validation.ok()) continue;
    next_position += pending.batch.positions;
    valid.push_back(std::move(pending.batch));
  }
  const uint64_t last_position = next_position - 1;
  Status result = broken_;
  if (result.ok() && !valid.empty()) {
    std::optional<uint64_t> taken;
    if (last_position != last_position_.load()) taken = last_position;
    result = write_(valid, taken);
    if (result.ok()) last_position_.store(last_position);
    writes_.fetch_add(1);
    batches_.fetch_add(valid.size());
    if (!result.ok() && result.code() != StatusCode::kUnavailable) {
      broken_ =
          Status::IOError("event log broken by an earlier failed write: " + result.ToString());
    }
  }
  for (size_t i = 0; i < group.size(); ++i) {
    Pending& pending = group[i];
    pending.done(pending.validation.ok() ? result : pending.validation, first_positions[i]);
  }
}

}  // namespace assent::storage
