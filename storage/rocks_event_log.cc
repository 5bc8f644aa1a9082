#include "storage/rocks_event_log.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/options.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/sst_file_manager.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstdarg>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "storage/internal/keys.h"
#include "storage/internal/chunks.h"
#include "storage/internal/disk_full.h"
#include "storage/internal/info_log.h"
#include "storage/internal/records.h"

namespace assent::storage {
namespace {

// Handles come back from DB::Open in this order: the default family (RocksDB requires it to be
// opened; Assent keeps only the last commit position in it), events, definitions, then one per
// index.
constexpr size_t kDefaultHandle = 0;
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

// RocksDB's info log when opened read-only: none. A read-only open must leave the directory as
// it is, and by default RocksDB would rename the LOG of the server holding it to LOG.old.* and
// start its own.
class NoInfoLog final : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char*, va_list) override {}
};

rocksdb::DBOptions MakeDbOptions(const std::string& dir, rocksdb::Env* env,
                                 const std::shared_ptr<internal::DiskFull>& disk_full,
                                 bool read_only, bool create_if_missing) {
  rocksdb::DBOptions options;
  if (env != nullptr) options.env = env;
  // Never RocksDB's default info log: it aborts the process on a full disk (internal/info_log.h).
  if (read_only) {
    options.info_log = std::make_shared<NoInfoLog>();
  } else {
    options.info_log = std::make_shared<internal::InfoLog>(dir);
  }
  options.create_if_missing = !read_only && create_if_missing;
  options.create_missing_column_families = !read_only;
  // Recovery from a full disk: the SstFileManager polls the free space and resumes the
  // database (RocksDB makes one by default; explicit here because the recovery relies on it).
  options.sst_file_manager.reset(rocksdb::NewSstFileManager(options.env));
  options.listeners.push_back(disk_full);
  // The WAL stays on (RocksDB's default; WriteOptions::disableWAL is never set): it is the
  // durability of every append. With every write synced, a torn WAL tail can only hold writes
  // nobody was told succeeded, so recovery stops cleanly before it instead of refusing to open
  // (kAbsoluteConsistency) or skipping over damage (kSkipAnyCorruptedRecords).
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  // The audit's vector memtable (AppendMostly) takes no concurrent inserts; the group committer
  // is the only writer anyway.
  options.allow_concurrent_memtable_write = false;
  // Flushes and compactions: the target machines are small; deep tuning comes later.
  options.max_background_jobs = 2;
  // RocksDB keeps every table file open by default (-1), so its descriptors would grow with the
  // data until they ate into what the server keeps for connections. A bounded table cache keeps
  // storage inside the descriptors the server reserves for it (api/connection_limit.h: at least
  // 256) with room for the WAL, manifest and LOG; colder tables are reopened on demand.
  options.max_open_files = 192;
  return options;
}

// Family options: a block cache shared by every family (one memory budget), lz4 from level 2 on
// when the RocksDB build has it (events are JSON-heavy and compress well), else snappy, else
// none. `filter` adds a 10 bits/key bloom filter (~1% false
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
  // Flushes (level 0) and the first compaction (level 1) write data that is soon rewritten:
  // compressing it there only spent CPU beside the append path (a fifth of each audit flush).
  // From level 2 on, where data stays, it is compressed.
  options.compression_per_level.assign(options.num_levels, options.compression);
  options.compression_per_level[0] = rocksdb::kNoCompression;
  options.compression_per_level[1] = rocksdb::kNoCompression;
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
  // Memtable inserts (a skiplist search each) were a fifth of the engine's instructions. Most
  // keys land next to the last one written under the same prefix: a run's next events after
  // its last ones; in an index, the newest id (ids grow with time) or the newest audit entry at
  // one end of its status or scope. RocksDB keeps the last insert position per prefix and
  // starts there (callgrind, `assent-bench embedded`, 3 runs: memtable inserts -21 to -29%,
  // all instructions -4 to -6%). Only a single writer uses the hint, which is the group committer.
  options.memtable_insert_with_hint_prefix_extractor =
      filter == Filter::kRunIdPrefix
          ? options.prefix_extractor
          : std::shared_ptr<const rocksdb::SliceTransform>(rocksdb::NewFixedPrefixTransform(1));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

// For the audit index: three entries with every start and decision, read only when someone asks
// for the audit. A vector memtable appends each entry and sorts once, at flush or when a query
// reads it, where a skiplist searched on every insert (callgrind, 2,000 W1 runs as a user:
// 490k -> 469k instructions per run). A query meets at most 4 MiB unsorted: 5-13 ms with a full
// memtable after 6,500 W1 runs, where a skiplist answers in 0.5-1.2 ms.
void AppendMostly(rocksdb::ColumnFamilyOptions& options) {
  options.memtable_factory = std::make_shared<rocksdb::VectorRepFactory>();
  options.write_buffer_size = 4 << 20;
  options.memtable_insert_with_hint_prefix_extractor = nullptr;  // skiplists only
}

// Enough bytes for a write batch holding `group`, so that building it does not grow its buffer
// again and again (copying what it holds each time). Records become chunks with a header and
// a key each; every entry takes a tag, a family id and two lengths besides its key and value.
size_t BatchBytes(const std::vector<AppendBatch>& group) {
  constexpr size_t kPerEntry = 32;
  size_t bytes = 64;
  for (const AppendBatch& append : group) {
    for (const Record& record : append.records) {
      bytes += kPerEntry + 2 * record.run_id.size() + record.bytes.size();
    }
    for (const IndexOp& op : append.index_ops) {
      bytes += kPerEntry + op.key.size() + (op.value ? op.value->size() : 0);
    }
  }
  return bytes;
}

}  // namespace

Result<std::unique_ptr<RocksEventLog>> RocksEventLog::Open(const std::string& dir,
                                                           RocksEventLogOptions options) {
  if (!options.create_if_missing || options.mode == OpenMode::kReadOnly) {
    std::error_code error;
    if (!std::filesystem::exists(dir, error)) {
      return Status::NotFound(dir + " does not exist" + (error ? ": " + error.message() : ""));
    }
  }
  rocksdb::Status failure;
  Result<Opened> opened = OpenDb(dir, options, options.mode == OpenMode::kReadOnly, &failure);
  if (!opened.ok() && options.mode == OpenMode::kReadWriteUnlessFull && failure.IsNoSpace()) {
    std::string why = failure.ToString();
    opened = OpenDb(dir, options, true, &failure);
    if (opened.ok()) {
      opened->read_only_reason =
          "the disk is full: " + dir + " could not be opened for writing (" + why +
          "), so it is open read-only: writes are refused until the server is restarted with "
          "space free; reads work";
    }
  }
  if (!opened.ok()) return opened.status();
  if (options.mode == OpenMode::kReadOnly) {
    opened->read_only_reason = "the event log in " + dir + " is open read-only";
  }
  return std::unique_ptr<RocksEventLog>(
      new RocksEventLog(std::move(opened).value(), options.group_limits));
}

Result<RocksEventLog::Opened> RocksEventLog::OpenDb(const std::string& dir,
                                                    const RocksEventLogOptions& options,
                                                    bool read_only,
                                                    rocksdb::Status* failure) {
  if (!read_only && options.create_if_missing) {
    std::error_code error;
    // Events hold what runs carry (payments, personal data): the owner and its group only.
    if (std::filesystem::create_directories(dir, error)) {
      std::filesystem::permissions(dir,
                                   std::filesystem::perms::owner_all |
                                       std::filesystem::perms::group_read |
                                       std::filesystem::perms::group_exec,
                                   error);
    }
    if (error) return Status::IOError("create " + dir + ": " + error.message());
  }

  Opened opened;
  if (options.file_system) opened.env = rocksdb::NewCompositeEnv(options.file_system);
  // RocksDB resumes after a full disk once one memtable's worth is free (internal/disk_full.h).
  opened.disk_full =
      std::make_shared<internal::DiskFull>(dir, rocksdb::ColumnFamilyOptions().write_buffer_size);
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {internal::kEventsColumnFamily, MakeFamilyOptions(cache, Filter::kRunIdPrefix)},
      // Tiny and only ever scanned whole: no filter.
      {internal::kDefinitionsColumnFamily, MakeFamilyOptions(cache, Filter::kNone)},
  };
  for (Index index : kAllIndexes) {
    // Whole-key filters where keys are looked up one by one (GetIndex) and mostly miss: the
    // start keys on every start, snapshots, outbox deliveries. The other indexes are scanned by
    // prefix, where such a filter never answers and costs a hash on every insert.
    const bool looked_up = index == Index::kStartKeys || index == Index::kRunSnapshots ||
                           index == Index::kNotifyOutbox;
    families.emplace_back(std::string(internal::IndexName(index)),
                          MakeFamilyOptions(cache, looked_up ? Filter::kWholeKey : Filter::kNone));
    if (index == Index::kAudit) AppendMostly(families.back().options);
  }

  rocksdb::DBOptions db_options =
      MakeDbOptions(dir, opened.env.get(), opened.disk_full, read_only,
                    options.create_if_missing);
  rocksdb::DB* db = nullptr;
  *failure = read_only ? rocksdb::DB::OpenForReadOnly(db_options, dir, families,
                                                      &opened.handles, &db)
                       : rocksdb::DB::Open(db_options, dir, families, &opened.handles, &db);
  if (!read_only && HeldByAnotherProcess(*failure)) {
    return Status::Unavailable(
        "another Assent server holds this data directory (its LOCK file); stop that server "
        "first, or use another data directory (" + failure->ToString() + ")");
  }
  if (failure->IsNoSpace()) {
    return Status::Unavailable("the disk is full: cannot open " + dir + " for writing (" +
                               failure->ToString() + ")");
  }
  if (!failure->ok()) return FromRocks(*failure, "open " + dir);
  opened.db.reset(db);
  std::string position;
  rocksdb::Status read =
      db->Get(rocksdb::ReadOptions(), opened.handles[kDefaultHandle], internal::kLastPositionKey,
              &position);
  if (read.ok() && !internal::DecodePosition(position, &opened.last_position)) {
    read = rocksdb::Status::Corruption("malformed last commit position");
  }
  if (!read.ok() && !read.IsNotFound()) {
    for (rocksdb::ColumnFamilyHandle* handle : opened.handles) {
      db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    return FromRocks(read, "read last commit position in " + dir);
  }
  return opened;
}

RocksEventLog::RocksEventLog(Opened opened, GroupLimits limits)
    : env_(std::move(opened.env)),
      disk_full_(std::move(opened.disk_full)),
      db_(std::move(opened.db)),
      handles_(std::move(opened.handles)),
      read_only_reason_(std::move(opened.read_only_reason)),
      events_(handles_[kEventsHandle]),
      definitions_(handles_[kDefinitionsHandle]),
      committer_(std::make_unique<GroupCommitter>(
          [this](std::vector<AppendBatch>& group, std::optional<uint64_t> last_position) {
            return Write(group, last_position);
          },
          limits, opened.last_position)) {}

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

Status RocksEventLog::Health() {
  if (!read_only_reason_.empty()) return Status::Unavailable(read_only_reason_);
  return disk_full_->Health();
}

Status RocksEventLog::Write(std::vector<AppendBatch>& group,
                           std::optional<uint64_t> last_position) {
  if (!read_only_reason_.empty()) return Status::Unavailable(read_only_reason_);
  rocksdb::WriteBatch batch(BatchBytes(group));
  if (last_position) {
    rocksdb::Status s = batch.Put(handles_[kDefaultHandle], internal::kLastPositionKey,
                                  internal::EncodePosition(*last_position));
    if (!s.ok()) return FromRocks(s, "batch put position");
  }
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
  // A full disk is kUnavailable: RocksDB refuses writes until it has recovered by itself. Any
  // other failure is IOError, Corruption included: the write did not happen and the log is
  // broken.
  if (!s.ok()) return disk_full_->Classify(s, "write");
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
  return ScanIndexFrom(index, prefix, prefix, visit);
}

Status RocksEventLog::ScanIndexFrom(
    Index index, std::string_view prefix, std::string_view from,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) {
  rocksdb::ColumnFamilyHandle* family = IndexFamily(index);
  if (family == nullptr) return Status::InvalidArgument("unknown index");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family));
  for (it->Seek(std::max(prefix, from)); it->Valid() && View(it->key()).starts_with(prefix);
       it->Next()) {
    if (!visit(View(it->key()), View(it->value()))) break;
  }
  if (!it->status().ok()) return FromRocks(it->status(), internal::IndexName(index));
  return Status::Ok();
}

Status RocksEventLog::ScanIndexReverse(
    Index index, std::string_view prefix, std::string_view before,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) {
  rocksdb::ColumnFamilyHandle* family = IndexFamily(index);
  if (family == nullptr) return Status::InvalidArgument("unknown index");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family));
  // The last key below `end` (exclusive).
  std::string end = before.empty() ? internal::PrefixEnd(prefix) : std::string(before);
  if (end.empty()) {
    it->SeekToLast();
  } else {
    it->SeekForPrev(end);
    if (it->Valid() && View(it->key()) >= end) it->Prev();
  }
  for (; it->Valid() && View(it->key()).starts_with(prefix); it->Prev()) {
    if (!visit(View(it->key()), View(it->value()))) break;
  }
  if (!it->status().ok()) return FromRocks(it->status(), internal::IndexName(index));
  return Status::Ok();
}

Status RocksEventLog::PutDefinition(std::string_view name, uint32_t version,
                                    std::string_view json) {
  if (Status s = internal::CheckKeyName("workflow name", name); !s.ok()) return s;
  if (!read_only_reason_.empty()) return Status::Unavailable(read_only_reason_);
  rocksdb::Status s =
      db_->Put(SyncedWrite(), definitions_, internal::DefinitionKey(name, version), json);
  if (!s.ok()) return disk_full_->Classify(s, "put definition " + std::string(name));
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
