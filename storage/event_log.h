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
};

// Every Index, in the order implementations keep their tables or column families.
inline constexpr std::array<Index, 5> kAllIndexes = {
    Index::kRunsByStatus, Index::kApprovalsByStatus, Index::kStartKeys, Index::kRunSnapshots,
    Index::kApprovalComments};

// Which way ScanIndex walks an index's keys.
enum class ScanDirection { kForward, kBackward };

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
};

// Called once, after the batch is synced to disk (status ok) or failed to be. Runs on the log's
// commit thread: it must be short and must not call back into Append synchronously and wait.
// A failure is one of:
//   kUnavailable  refused for now (the disk is full, the log is read-only), nothing of the
//                 batch written; later appends may succeed (Health() says when it is worth it).
//   kIOError      the write failed and the log is broken: every later append fails too, and
//                 only reopening the log (replaying it) recovers.
//   kInvalidArgument  the batch was malformed and never written.
using AppendCallback = std::function<void(Status)>;

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

  // Visits the entries of `index` whose key starts with `prefix`, in key order (kForward) or
  // reverse key order (kBackward), until `visit` returns false. With a `start_after`, the scan
  // begins at the first key strictly beyond it in that direction (after it forward, before it
  // backward), so a page of a list resumes where the last one stopped; empty: at the prefix's
  // first key (forward) or its last (backward). One scan reads one consistent view.
  virtual Status ScanIndex(
      Index index, std::string_view prefix, std::string_view start_after, ScanDirection direction,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) = 0;
  Status ScanIndex(Index index, std::string_view prefix,
                   const std::function<bool(std::string_view key, std::string_view value)>& visit) {
    return ScanIndex(index, prefix, {}, ScanDirection::kForward, visit);
  }

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
