// RocksEventLog: the EventLog on RocksDB, the one the server runs on.
//
// Column families (names persisted, see storage/internal/keys.h for the key formats):
//   events                   run_id '\0' seq(8, big-endian)   -> Event buffer
//   idx_runs_by_status,
//   idx_approvals_by_status,
//   idx_start_keys           the Index's key                   -> its value
//   definitions              name '\0' version(4, big-endian)  -> definition JSON
// Appends are group-committed by a GroupCommitter: one WriteBatch and one synced WAL write per
// group.
//
// A full disk: RocksDB stops taking writes and recovers by itself once space is freed (it
// checks every 5 seconds, and once one memtable's worth, 64 MiB, is free it flushes to new
// files and takes writes again; see internal/disk_full.h). Meanwhile appends and PutDefinition fail with kUnavailable saying the
// disk is full, nothing of them written, reads work, and Health() says why. Appends after the
// recovery succeed. Any other failed write is kIOError and breaks the log until it is reopened.
//
// Open modes (OpenMode):
//   kReadWrite   the server's: creates the directory (0750) and the column families if
//                missing, holds the LOCK file (one such process per directory).
//   kReadOnly    for tools that read a directory a server may hold (`assent verify`), and for a
//                server that restarts on a full disk: RocksDB's OpenForReadOnly, which takes no
//                lock and writes nothing into the directory (no LOG file either). The view is
//                the directory as it was at open (the WAL is replayed into memory); later writes
//                of a server holding it are not seen. Appends and PutDefinition answer
//                kUnavailable saying the log is read-only; Health() says so too. A server that
//                holds the directory may delete files this one has not opened yet (a finished
//                compaction): a read may then fail with kIOError, and reopening reads anew.
//   kReadWriteUnlessFull  kReadWrite, or kReadOnly when the disk is too full to open for
//                writing (opening writes a new MANIFEST, WAL and OPTIONS file): the server
//                then serves reads and refuses writes until it is restarted with space free.
//
// Created with Open by the server (and by tests and tools). Thread safety: every method may be
// called from any thread concurrently.
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
class Env;
class FileSystem;
class Status;
}  // namespace rocksdb

namespace assent::storage {

enum class OpenMode : uint8_t { kReadWrite, kReadOnly, kReadWriteUnlessFull };

namespace internal {
class DiskFull;
}

struct RocksEventLogOptions {
  // One LRU block cache shared by every column family.
  size_t block_cache_bytes = 64 << 20;
  GroupLimits group_limits = {};
  OpenMode mode = OpenMode::kReadWrite;
  // Read-write modes: false makes a missing directory or database kNotFound instead of
  // creating it. kReadOnly never creates anything.
  bool create_if_missing = true;
  // The file system RocksDB works on; null: the machine's. Tests pass a wrapper that injects
  // failures (a disk that fills).
  std::shared_ptr<rocksdb::FileSystem> file_system = nullptr;
};

class RocksEventLog final : public EventLog {
 public:
  // Opens the log in `dir` as `options.mode` says. kUnavailable when another process holds
  // `dir` open (read-write modes), or when the disk is too full to open it for writing
  // (kReadWrite). kNotFound for a missing directory that is not to be created (kReadOnly, or
  // create_if_missing false). kIOError naming the file and the reason for anything else (no
  // permission).
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
  using EventLog::ScanIndex;
  Status ScanIndex(
      Index index, std::string_view prefix, std::string_view start_after, ScanDirection direction,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) override;
  Status PutDefinition(std::string_view name, uint32_t version, std::string_view json) override;
  Status ScanDefinitions(const std::function<void(std::string_view name, uint32_t version,
                                                  std::string_view json)>& visit) override;

  // Ok while appends can succeed; kUnavailable with the reason while the disk is full (until
  // RocksDB has recovered) or when the log is read-only.
  Status Health() override;
  // Why the log is read-only (kReadOnly, or kReadWriteUnlessFull on a full disk); empty when
  // it takes writes.
  const std::string& read_only_reason() const { return read_only_reason_; }

  CommitStats stats() const { return committer_->stats(); }

 private:
  // What Open hands the constructor; `handles` in the order Open lists the column families.
  struct Opened {
    std::unique_ptr<rocksdb::Env> env;  // null: RocksDB's default Env
    std::shared_ptr<internal::DiskFull> disk_full;
    std::unique_ptr<rocksdb::DB> db;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    std::string read_only_reason;
  };
  // `failure`: RocksDB's answer, for Open to tell a full disk from other failures.
  static Result<Opened> OpenDb(const std::string& dir, const RocksEventLogOptions& options,
                               bool read_only, rocksdb::Status* failure);
  RocksEventLog(Opened opened, GroupLimits limits);

  // GroupCommitter::WriteFn: the whole group as one synced WriteBatch.
  Status Write(std::vector<AppendBatch>& group);
  // The column family of `index`, or nullptr for a value outside the enum.
  rocksdb::ColumnFamilyHandle* IndexFamily(Index index) const;

  std::unique_ptr<rocksdb::Env> env_;  // outlives db_, which uses it
  std::shared_ptr<internal::DiskFull> disk_full_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // every handle, destroyed before db_
  const std::string read_only_reason_;
  rocksdb::ColumnFamilyHandle* events_;
  rocksdb::ColumnFamilyHandle* definitions_;
  // A pointer so the destructor can drain and stop it before the handles and db_ go away.
  std::unique_ptr<GroupCommitter> committer_;
};

}  // namespace assent::storage
