// EventLog: the narrow interface between the engine and durable storage.
//
// The log holds, per run, an ordered sequence of records (FlatBuffers `assent.fb.Event` buffers,
// seq 1, 2, 3 ... with no gaps) plus a few secondary indexes that the engine maintains in the
// same atomic batch as the records they describe. The log knows keys and bytes and the envelope
// fields (run id, seq); it never interprets event bodies.
//
// Implementations: RocksEventLog (storage/rocks_event_log.h) on disk; MemEventLog
// (storage/mem_event_log.h) in memory for tests. A replicated log can implement it later.
//
// Thread safety: every method may be called from any thread concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace assent::storage {

// Secondary indexes. The numbers are persisted (they name column families / key spaces):
// never change or reuse one.
enum class Index : uint8_t {
  kRunsByStatus = 1,       // key: one status byte + run id; value: workflow name
  kApprovalsByStatus = 2,  // key: one status byte + approval id; value: run id
  kStartKeys = 3,          // key: workflow name + '\0' + idempotency key; value: run id
  kRunSnapshots = 4,       // key: run id; value: the engine's snapshot of the run (opaque here)
  kApprovalComments = 5,   // key: approval id + '\0' + ordinal; value: one comment (opaque here)
  kAudit = 6,              // key: scope + newest-first position of an event; value: opaque here
  kNotifyOutbox = 7,       // key: delivery id; value: a webhook delivery not yet sent (opaque)
  kTimers = 8,     // key: due time + approval id; value: run id (opaque here)
  kSchedules = 9,  // key: workflow name; value: its schedule's next fire time (opaque here)
};

// Every Index, in the order implementations keep their tables or column families.
inline constexpr std::array<Index, 9> kAllIndexes = {
    Index::kRunsByStatus,     Index::kApprovalsByStatus, Index::kStartKeys,
    Index::kRunSnapshots,     Index::kApprovalComments,  Index::kAudit,
    Index::kNotifyOutbox,     Index::kTimers,            Index::kSchedules};

// Puts `value` under `key` in `index`, or deletes `key` when `value` is empty.
struct IndexOp {
  Index index;
  std::string key;
  std::optional<std::string> value;
};

// One log record: a finished, verifiable `assent.fb.Event` buffer whose envelope carries the
// same run id and seq. Run ids must not contain '\0'.
struct Record {
  std::string run_id;
  uint64_t seq = 0;
  std::string bytes;
};

// Records and index changes that become durable together or not at all.
struct AppendBatch {
  std::vector<Record> records;
  std::vector<IndexOp> index_ops;
  // How many commit positions the batch takes (the engine: one per reviewer notification it
  // carries). Positions number what the log commits, 1, 2, 3 ... with no gaps, in commit
  // order, and are never reused, across reopenings too: the log keeps the last one durably
  // with the batches that took them. A batch that is not written takes none.
  uint32_t positions = 0;
};

// Called once, after the batch is synced to disk (status ok) or failed to be. Runs on the log's
// commit thread: it must be short and must not call back into Append synchronously and wait.
// A failure is one of:
//   kUnavailable  refused for now (the disk is full, the log is read-only), nothing of the
//                 batch written; later appends may succeed (Health() says when it is worth it).
//   kIOError      the write failed and the log is broken: every later append fails too, and
//                 only reopening the log (replaying it) recovers.
//   kInvalidArgument  the batch was malformed and never written.
// `first_position`: when ok, the first of the batch's `positions` (the batch has first,
// first + 1, ... first + positions - 1); meaningless otherwise or when it took none.
using AppendCallback = std::function<void(Status status, uint64_t first_position)>;

class EventLog {
 public:
  virtual ~EventLog() = default;

  // Appends `batch` atomically. `done` runs only after the write-ahead log is synced: nothing
  // is acknowledged before it is durable. Batches from many callers are group-committed (one
  // write and one sync for everything queued), and commit in the order Append was called.
  virtual void Append(AppendBatch batch, AppendCallback done) = 0;

  // Reads the records of `run_id` from seq `from_seq` on (1: all of them), in seq order. Each
  // record is verified (FlatBuffers verifier, envelope run id and seq match the key, seqs have
  // no gaps): a bad one is kCorruption naming the run id and seq. An unknown run, or one with
  // no record from `from_seq` on, yields an empty vector and Ok.
  virtual Status ReadRun(std::string_view run_id, uint64_t from_seq,
                         std::vector<std::string>* records) = 0;
  Status ReadRun(std::string_view run_id, std::vector<std::string>* records) {
    return ReadRun(run_id, 1, records);
  }

  // Looks up one index entry: kNotFound when absent.
  virtual Status GetIndex(Index index, std::string_view key, std::string* value) = 0;

  // Visits the entries of `index` whose key starts with `prefix`, in key order, until `visit`
  // returns false.
  virtual Status ScanIndex(
      Index index, std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) = 0;
  // The same entries in descending key order, starting with the last key below `before` (a
  // whole key; empty: from the last entry of the prefix): for pages of newest first.
  virtual Status ScanIndexReverse(
      Index index, std::string_view prefix, std::string_view before,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) = 0;

  // The last commit position a durable batch took (see AppendBatch::positions); 0 when none
  // has. Everything at or below it is durable.
  virtual uint64_t LastPosition() = 0;
  // The same, starting at the first key not below `from` (a whole key; one below `prefix`
  // starts at the prefix): for pages that go on where the last one stopped.
  virtual Status ScanIndexFrom(
      Index index, std::string_view prefix, std::string_view from,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) = 0;

  // Workflow definitions, versioned. Put is synced before it returns; it fails as Append does.
  virtual Status PutDefinition(std::string_view name, uint32_t version,
                               std::string_view json) = 0;
  // Visits every stored definition, grouped by name, versions ascending.
  virtual Status ScanDefinitions(
      const std::function<void(std::string_view name, uint32_t version, std::string_view json)>&
          visit) = 0;

  // Ok while appends can succeed; kUnavailable with the reason while the log refuses them for
  // now (a full disk, a read-only log). Reads work either way.
  virtual Status Health() = 0;
};

}  // namespace assent::storage
