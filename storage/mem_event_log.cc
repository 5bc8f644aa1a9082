#include "storage/mem_event_log.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "storage/internal/keys.h"
#include "storage/internal/chunks.h"
#include "storage/internal/records.h"

namespace assent::storage {

MemEventLog::MemEventLog(GroupLimits limits)
    : committer_([this](std::vector<AppendBatch>& group) { return Write(group); }, limits) {}

MemEventLog::~MemEventLog() = default;

void MemEventLog::Append(AppendBatch batch, AppendCallback done) {
  committer_.Submit(std::move(batch), std::move(done));
}

Status MemEventLog::Write(std::vector<AppendBatch>& group) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!refusal_.ok()) return refusal_;
  if (fail_next_write_) {
    Status injected = std::move(*fail_next_write_);
    fail_next_write_.reset();
    return injected;
  }
  for (AppendBatch& batch : group) {
    for (internal::Chunk& chunk : internal::EncodeChunks(batch.records)) {
      events_[std::move(chunk.key)] = std::move(chunk.value);
    }
    for (IndexOp& op : batch.index_ops) {
      Table* table = IndexTable(op.index);  // known: the committer validated the batch
      if (op.value) {
        (*table)[std::move(op.key)] = std::move(*op.value);
      } else {
        table->erase(op.key);
      }
    }
  }
  return Status::Ok();
}

Status MemEventLog::ReadRun(std::string_view run_id, uint64_t from_seq,
                            std::vector<std::string>* records) {
  records->clear();
  if (Status s = internal::CheckKeyName("run id", run_id); !s.ok()) return s;
  std::string prefix = internal::EventKeyPrefix(run_id);
  internal::RunReader reader(run_id, from_seq, records);
  std::lock_guard<std::mutex> lock(mu_);
  // Start at the chunk holding `from_seq`: the last key at or before it, if it is this run's.
  auto it = events_.upper_bound(internal::EventKey(run_id, from_seq));
  if (it != events_.begin() && std::prev(it)->first.starts_with(prefix)) --it;
  for (; it != events_.end() && it->first.starts_with(prefix); ++it) {
    if (Status s = reader.Add(it->first, it->second); !s.ok()) return s;
  }
  return Status::Ok();
}

Status MemEventLog::GetIndex(Index index, std::string_view key, std::string* value) {
  std::lock_guard<std::mutex> lock(mu_);
  Table* table = IndexTable(index);
  if (table == nullptr) return Status::InvalidArgument("unknown index");
  auto it = table->find(key);
  if (it == table->end()) {
    return Status::NotFound("no such key in " + std::string(internal::IndexName(index)));
  }
  *value = it->second;
  return Status::Ok();
}

// The scans copy what they visit and call `visit` without the lock, so a visitor may call back
// into the log as it may with RocksEventLog.

Status MemEventLog::ScanIndex(
    Index index, std::string_view prefix, std::string_view start_after, ScanDirection direction,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) {
  // Copied under the lock and visited without it, so `visit` may call into the log.
  std::vector<std::pair<std::string, std::string>> matches;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Table* table = IndexTable(index);
    if (table == nullptr) return Status::InvalidArgument("unknown index");
    for (auto it = table->lower_bound(prefix); it != table->end() && it->first.starts_with(prefix);
         ++it) {
      bool beyond = start_after.empty() ||
                    (direction == ScanDirection::kForward ? it->first > start_after
                                                          : it->first < start_after);
      if (beyond) matches.emplace_back(*it);
    }
  }
  if (direction == ScanDirection::kBackward) std::reverse(matches.begin(), matches.end());
  for (const auto& [key, value] : matches) {
    if (!visit(key, value)) break;
  }
  return Status::Ok();
}

Status MemEventLog::PutDefinition(std::string_view name, uint32_t version, std::string_view json) {
  if (Status s = internal::CheckKeyName("workflow name", name); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  if (!refusal_.ok()) return refusal_;
  definitions_[internal::DefinitionKey(name, version)] = std::string(json);
  return Status::Ok();
}

Status MemEventLog::ScanDefinitions(
    const std::function<void(std::string_view name, uint32_t version, std::string_view json)>&
        visit) {
  Table definitions;
  {
    std::lock_guard<std::mutex> lock(mu_);
    definitions = definitions_;
  }
  for (const auto& [key, json] : definitions) {
    std::string_view name;
    uint32_t version = 0;
    internal::DecodeDefinitionKey(key, &name, &version);  // PutDefinition encoded it
    visit(name, version, json);
  }
  return Status::Ok();
}

void MemEventLog::FailNextWrite(Status status) {
  assert(!status.ok());
  std::lock_guard<std::mutex> lock(mu_);
  fail_next_write_ = std::move(status);
}

void MemEventLog::RefuseWrites(Status reason) {
  assert(reason.code() == StatusCode::kUnavailable);
  std::lock_guard<std::mutex> lock(mu_);
  refusal_ = std::move(reason);
}

void MemEventLog::AcceptWrites() {
  std::lock_guard<std::mutex> lock(mu_);
  refusal_ = Status::Ok();
}

Status MemEventLog::Health() {
  std::lock_guard<std::mutex> lock(mu_);
  return refusal_;
}

MemEventLog::Table* MemEventLog::IndexTable(Index index) {
  size_t slot = internal::IndexSlot(index);
  return slot < indexes_.size() ? &indexes_[slot] : nullptr;
}

}  // namespace assent::storage
