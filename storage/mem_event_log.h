// MemEventLog: an EventLog held in memory, for engine unit tests.
//
// Same semantics as RocksEventLog, down to the shared pieces: appends go through the same
// GroupCommitter (callbacks on a commit thread, in submission order, broken after a failed
// write, not after a refused one), reads through the same verification, keys through the same
// encoding, so ordering matches. Nothing is durable: the data lives as long as the object.
//
// FailNextWrite injects a write failure, RefuseWrites a full disk, for fault-injection tests of
// the engine.
// Thread safety: every method may be called from any thread concurrently.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "storage/event_log.h"
#include "storage/group_committer.h"

namespace assent::storage {

class MemEventLog final : public EventLog {
 public:
  explicit MemEventLog(GroupLimits limits = {});
  // Commits what is queued and runs its callbacks, then joins the commit thread.
  ~MemEventLog() override;

  void Append(AppendBatch batch, AppendCallback done) override;
  using EventLog::ReadRun;
  Status ReadRun(std::string_view run_id, uint64_t from_seq,
                 std::vector<std::string>* records) override;
  Status GetIndex(Index index, std::string_view key, std::string* value) override;
  using EventLog::ScanIndex;
  Status ScanIndex(
      Index index, std::string_view prefix, std::string_view start_after, ScanDirection direction,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) override;
  Status PutDefinition(std::string_view name, uint32_t version, std::string_view json) override;
  Status ScanDefinitions(const std::function<void(std::string_view name, uint32_t version,
                                                  std::string_view json)>& visit) override;

  // The next group write fails with `status` (normally an IOError) and writes nothing; as with
  // a real write error the log then stays broken and every later append fails with IOError
  // (unless `status` is kUnavailable: a refusal fails that write only).
  // REQUIRES: !status.ok()
  void FailNextWrite(Status status);

  // Until AcceptWrites, every write (appends, PutDefinition) fails with `reason` and writes
  // nothing, and Health() reports it, as RocksEventLog does while the disk is full.
  // REQUIRES: reason is kUnavailable
  void RefuseWrites(Status reason);
  void AcceptWrites();
  Status Health() override;

  CommitStats stats() const { return committer_.stats(); }

 private:
  using Table = std::map<std::string, std::string, std::less<>>;

  // GroupCommitter::WriteFn: applies the whole group under one lock, so readers see all of it
  // or none of it.
  Status Write(std::vector<AppendBatch>& group);
  // The table of `index`, or nullptr for a value outside the enum. REQUIRES: mu_ held.
  Table* IndexTable(Index index);

  std::mutex mu_;
  Table events_;                           // guarded by mu_; keys as in internal/keys.h
  std::array<Table, kAllIndexes.size()> indexes_;  // guarded by mu_; one per Index
  Table definitions_;                      // guarded by mu_
  std::optional<Status> fail_next_write_;  // guarded by mu_
  Status refusal_;                         // guarded by mu_; Ok: writes are taken

  GroupCommitter committer_;  // last: destroyed first, while the tables it writes still exist
};

}  // namespace assent::storage
