#include "storage/rocks_event_log.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "storage/internal/keys.h"
#include "storage/internal/chunks.h"
#include "storage/internal/records.h"

namespace assent::storage {
namespace {

// Handles come back from DB::Open in this order: the default family (RocksDB requires it to be
// opened; Assent stores nothing in it), events, definitions, then one per index.
constexpr size_t kEventsHandle = 1;
constexpr size_t kDefinitionsHandle = 2;
constexpr size_t kFirstIndexHandle = 3;

// Extracts run_id + '\0' from an events key, so the events bloom filter answers "may this file
// hold records of run X?", which is what ReadRun's prefix seek asks. A whole-key filter would
// never be consulted: ReadRun does no point lookups. The name is recorded in every SST file;
// a file written with another name just has its filter ignored, so change it with the format.
class RunIdPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "assent.RunIdPrefix.1"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const void* separator = std::memchr(key.data(), '\0', key.size());
    return rocksdb::Slice(key.data(), static_cast<const char*>(separator) - key.data() + 1);
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return std::memchr(key.data(), '\0', key.size()) != nullptr;
  }
};

std::string_view View(const rocksdb::Slice& slice) { return {slice.data(), slice.size()}; }

// RocksDB reports damaged files as Corruption; every other failure is the disk's or the
// environment's, hence IOError.
Status FromRocks(const rocksdb::Status& status, std::string_view what) {
  std::string message = std::string(what) + ": " + status.ToString();
  if (status.IsCorruption()) return Status::Corruption(std::move(message));
  return Status::IOError(std::move(message));
}

// RocksDB locks DIR/LOCK while a process has the database open; a second Open fails with an
// IOError about the lock: "While lock file: DIR/LOCK: Resource temporarily unavailable" from
// another process, "lock hold by current process" from this one. Other lock failures (no lock
// support on the file system, no permission) keep RocksDB's own words.
bool HeldByAnotherProcess(const rocksdb::Status& status) {
  std::string text = status.ToString();
  return status.IsIOError() &&
         (text.find("Resource temporarily unavailable") != std::string::npos ||
          text.find("lock hold by current process") != std::string::npos);
}

rocksdb::WriteOptions SyncedWrite() {
  rocksdb::WriteOptions options;
  // Every acknowledged append must survive power loss, not only a process crash: fsync the WAL
  // before Write returns. Group commit pays this once per group, not once per batch.
  options.sync = true;
  return options;
}

rocksdb::DBOptions MakeDbOptions(bool create_if_missing) {
  rocksdb::DBOptions options;
  options.create_if_missing = create_if_missing;
  options.create_missing_column_families = true;
  // The WAL stays on (RocksDB's default; WriteOptions::disableWAL is never set): it is the
  // durability of every append. With every write synced, a torn WAL tail can only hold writes
  // nobody was told succeeded, so recovery stops cleanly before it instead of refusing to open
  // (kAbsoluteConsistency) or skipping over damage (kSkipAnyCorruptedRecords).
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  // Flushes and compactions: the target machines are small; deep tuning comes later.
  options.max_background_jobs = 2;
  return options;
}

// Family options: a block cache shared by every family (one memory budget), lz4 when the
// RocksDB build has it (fast enough not to show on the append path; events are JSON-heavy and
// compress well), else snappy, else none. `filter` adds a 10 bits/key bloom filter (~1% false
// positives).
enum class Filter { kNone, kWholeKey, kRunIdPrefix };

rocksdb::ColumnFamilyOptions MakeFamilyOptions(const std::shared_ptr<rocksdb::Cache>& cache,
                                               Filter filter) {
  rocksdb::ColumnFamilyOptions options;
  std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  auto has = [&](rocksdb::CompressionType type) {
    return std::find(supported.begin(), supported.end(), type) != supported.end();
  };
  options.compression = has(rocksdb::kLZ4Compression)      ? rocksdb::kLZ4Compression
                        : has(rocksdb::kSnappyCompression) ? rocksdb::kSnappyCompression
                                                           : rocksdb::kNoCompression;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  if (filter != Filter::kNone) {
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  }
  if (filter == Filter::kWholeKey) {
    // Most index lookups miss (a run with no snapshot, a start with a new idempotency key) and
    // most hit the memtable first: a memtable bloom filter answers those misses cheaply.
    options.memtable_whole_key_filtering = true;
    options.memtable_prefix_bloom_size_ratio = 0.02;
  }
  if (filter == Filter::kRunIdPrefix) {
    options.prefix_extractor = std::make_shared<RunIdPrefix>();
    table.whole_key_filtering = false;
  }
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

}  // namespace

Result<std::unique_ptr<RocksEventLog>> RocksEventLog::Open(const std::string& dir,
                                                           RocksEventLogOptions options) {
  std::error_code error;
  if (!options.create_if_missing) {
    if (!std::filesystem::exists(dir, error)) {
      return Status::NotFound(dir + " does not exist" + (error ? ": " + error.message() : ""));
    }
  } else if (std::filesystem::create_directories(dir, error); error) {
    return Status::IOError("create " + dir + ": " + error.message());
  }

  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {internal::kEventsColumnFamily, MakeFamilyOptions(cache, Filter::kRunIdPrefix)},
      // Tiny and only ever scanned whole: no filter.
      {internal::kDefinitionsColumnFamily, MakeFamilyOptions(cache, Filter::kNone)},
  };
  for (Index index : kAllIndexes) {
    // Whole-key filters: GetIndex on idx_start_keys runs on every start and mostly misses.
    families.emplace_back(std::string(internal::IndexName(index)),
                          MakeFamilyOptions(cache, Filter::kWholeKey));
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status status =
      rocksdb::DB::Open(MakeDbOptions(options.create_if_missing), dir, families, &handles, &db);
  if (HeldByAnotherProcess(status)) {
    return Status::Unavailable(
        "another Assent server holds this data directory (its LOCK file); stop that server "
        "first, or use another data directory (" + status.ToString() + ")");
  }
  if (!status.ok()) return FromRocks(status, "open " + dir);
  return std::unique_ptr<RocksEventLog>(new RocksEventLog(
      std::unique_ptr<rocksdb::DB>(db), std::move(handles), options.group_limits));
}

RocksEventLog::RocksEventLog(std::unique_ptr<rocksdb::DB> db,
                             std::vector<rocksdb::ColumnFamilyHandle*> handles, GroupLimits limits)
    : db_(std::move(db)),
      handles_(std::move(handles)),
      events_(handles_[kEventsHandle]),
      definitions_(handles_[kDefinitionsHandle]),
      committer_(std::make_unique<GroupCommitter>(
          [this](std::vector<AppendBatch>& group) { return Write(group); }, limits)) {}

RocksEventLog::~RocksEventLog() {
  committer_.reset();
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  // Best effort: every acknowledged write is already synced to the WAL.
  db_->Close().PermitUncheckedError();
}

void RocksEventLog::Append(AppendBatch batch, AppendCallback done) {
  committer_->Submit(std::move(batch), std::move(done));
}

Status RocksEventLog::Write(std::vector<AppendBatch>& group) {
  rocksdb::WriteBatch batch;
  for (const AppendBatch& append : group) {
    for (const internal::Chunk& chunk : internal::EncodeChunks(append.records)) {
      rocksdb::Status s = batch.Put(events_, chunk.key, chunk.value);
      if (!s.ok()) return FromRocks(s, "batch put");
    }
    for (const IndexOp& op : append.index_ops) {
      rocksdb::ColumnFamilyHandle* family = IndexFamily(op.index);  // the committer validated it
      rocksdb::Status s =
          op.value ? batch.Put(family, op.key, *op.value) : batch.Delete(family, op.key);
      if (!s.ok()) return FromRocks(s, "batch index op");
    }
  }
  rocksdb::Status s = db_->Write(SyncedWrite(), &batch);
  // Any failure is IOError, Corruption included: the write did not happen and the log is broken.
  if (!s.ok()) return Status::IOError("write: " + s.ToString());
  return Status::Ok();
}

Status RocksEventLog::ReadRun(std::string_view run_id, uint64_t from_seq,
                              std::vector<std::string>* records) {
  records->clear();
  if (Status s = internal::CheckKeyName("run id", run_id); !s.ok()) return s;
  std::string prefix = internal::EventKeyPrefix(run_id);
  rocksdb::ReadOptions options;
  options.prefix_same_as_start = true;  // stop at the run's end; lets the prefix filter work
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, events_));
  internal::RunReader reader(run_id, from_seq, records);
  // Start at the chunk holding `from_seq`: the last key at or before it.
  if (from_seq > 1) it->SeekForPrev(internal::EventKey(run_id, from_seq));
  // Nothing of this run at or before from_seq (SeekForPrev found nothing, or another run's
  // key): start at the run's first chunk, so a missing start reads as a gap.
  if (from_seq <= 1 || !it->Valid() || !View(it->key()).starts_with(prefix)) it->Seek(prefix);
  for (; it->Valid() && View(it->key()).starts_with(prefix); it->Next()) {
    if (Status s = reader.Add(View(it->key()), View(it->value())); !s.ok()) return s;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read run " + std::string(run_id));
  return Status::Ok();
}

Status RocksEventLog::GetIndex(Index index, std::string_view key, std::string* value) {
  rocksdb::ColumnFamilyHandle* family = IndexFamily(index);
  if (family == nullptr) return Status::InvalidArgument("unknown index");
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), family, key, value);
  if (s.IsNotFound()) {
    return Status::NotFound("no such key in " + std::string(internal::IndexName(index)));
  }
  if (!s.ok()) return FromRocks(s, internal::IndexName(index));
  return Status::Ok();
}

Status RocksEventLog::ScanIndex(
    Index index, std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) {
  rocksdb::ColumnFamilyHandle* family = IndexFamily(index);
  if (family == nullptr) return Status::InvalidArgument("unknown index");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family));
  for (it->Seek(prefix); it->Valid() && View(it->key()).starts_with(prefix); it->Next()) {
    if (!visit(View(it->key()), View(it->value()))) break;
  }
  if (!it->status().ok()) return FromRocks(it->status(), internal::IndexName(index));
  return Status::Ok();
}

Status RocksEventLog::PutDefinition(std::string_view name, uint32_t version,
                                    std::string_view json) {
  if (Status s = internal::CheckKeyName("workflow name", name); !s.ok()) return s;
  rocksdb::Status s =
      db_->Put(SyncedWrite(), definitions_, internal::DefinitionKey(name, version), json);
  if (!s.ok()) return FromRocks(s, "put definition " + std::string(name));
  return Status::Ok();
}

Status RocksEventLog::ScanDefinitions(
    const std::function<void(std::string_view name, uint32_t version, std::string_view json)>&
        visit) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), definitions_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view name;
    uint32_t version = 0;
    if (!internal::DecodeDefinitionKey(View(it->key()), &name, &version)) {
      return Status::Corruption("definitions: malformed key");
    }
    visit(name, version, View(it->value()));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan definitions");
  return Status::Ok();
}

rocksdb::ColumnFamilyHandle* RocksEventLog::IndexFamily(Index index) const {
  // One family per index, opened in kAllIndexes order after the fixed ones.
  size_t slot = internal::IndexSlot(index);
  return slot < kAllIndexes.size() ? handles_[kFirstIndexHandle + slot] : nullptr;
}

}  // namespace assent::storage
