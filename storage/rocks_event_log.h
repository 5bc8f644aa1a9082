// RocksEventLog: the EventLog on RocksDB, the one the server runs on.
//
// Column families (names persisted, see storage/internal/keys.h for the key formats):
//   events                   run_id '\0' seq(8, big-endian)   -> Event buffer
//   idx_runs_by_status,
//   idx_approvals_by_status,
//   idx_start_keys           the Index's key                   -> its value
//   definitions              name '\0' version(4, big-endian)  -> definition JSON
// Appends are group-committed by a GroupCommitter: one WriteBatch and one synced WAL write per
// group. After a failed write every later append fails with IOError until the log is reopened.
//
// Created with Open by the server (and by tests). Thread safety: every method may be called
// from any thread concurrently. One process opens a directory at a time (RocksDB's LOCK file).
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "storage/event_log.h"
#include "storage/group_committer.h"
#include "base/status.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace assent::storage {

struct RocksEventLogOptions {
  // One LRU block cache shared by every column family.
  size_t block_cache_bytes = 64 << 20;
  GroupLimits group_limits;
  // false: a missing directory or database is kNotFound (`assent verify` reads, never creates).
  bool create_if_missing = true;
};

class RocksEventLog final : public EventLog {
 public:
  // Opens the log in `dir`, creating the directory and the column families if missing.
  // kUnavailable when another process holds `dir` open.
  static Result<std::unique_ptr<RocksEventLog>> Open(const std::string& dir,
                                                     RocksEventLogOptions options = {});
  // Commits what is queued and runs its callbacks, then closes the database.
  ~RocksEventLog() override;

  RocksEventLog(const RocksEventLog&) = delete;
  RocksEventLog& operator=(const RocksEventLog&) = delete;

  void Append(AppendBatch batch, AppendCallback done) override;
  using EventLog::ReadRun;
  Status ReadRun(std::string_view run_id, uint64_t from_seq,
                 std::vector<std::string>* records) override;
  Status GetIndex(Index index, std::string_view key, std::string* value) override;
  Status ScanIndex(
      Index index, std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) override;
  Status PutDefinition(std::string_view name, uint32_t version, std::string_view json) override;
  Status ScanDefinitions(const std::function<void(std::string_view name, uint32_t version,
                                                  std::string_view json)>& visit) override;

  CommitStats stats() const { return committer_->stats(); }

 private:
  // `handles` in the order Open lists the column families.
  RocksEventLog(std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> handles,
                GroupLimits limits);

  // GroupCommitter::WriteFn: the whole group as one synced WriteBatch.
  Status Write(std::vector<AppendBatch>& group);
  // The column family of `index`, or nullptr for a value outside the enum.
  rocksdb::ColumnFamilyHandle* IndexFamily(Index index) const;

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // every handle, destroyed before db_
  rocksdb::ColumnFamilyHandle* events_;
  rocksdb::ColumnFamilyHandle* definitions_;
  // A pointer so the destructor can drain and stop it before the handles and db_ go away.
  std::unique_ptr<GroupCommitter> committer_;
};

}  // namespace assent::storage
