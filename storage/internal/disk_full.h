// DiskFull: what RocksEventLog knows about a full disk, learnt from RocksDB's own error handler.
//
// When a write, flush or compaction fails with "no space left", RocksDB stops taking writes
// (every Write answers the same error; reads carry on) and, unless the error is fatal, its
// SstFileManager checks the free space every 5 seconds; once at least one memtable's worth is
// free (write_buffer_size, 64 MiB: RocksDB's own heuristic, so that writes do not resume only
// to fail again) it recovers (a flush to a new WAL and SST files, the DB::Resume() path; see
// RocksDB's wiki "Background Error Handling") and takes writes again. This listener only
// watches: it tells the log whether the database is stopped on a full disk right now, and
// whether the error was fatal (no recovery but a restart).
//
// Thread safety: RocksDB calls the listener on its own threads; every method may be called
// from any thread.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <rocksdb/listener.h>

#include "base/status.h"

namespace assent::storage::internal {

class DiskFull final : public rocksdb::EventListener {
 public:
  // `resume_bytes`: the free space RocksDB waits for before it recovers, for the message.
  DiskFull(std::string dir, size_t resume_bytes)
      : dir_(std::move(dir)), resume_bytes_(resume_bytes) {}

  // kUnavailable saying the disk is full, while RocksDB refuses writes for it; else Ok.
  Status Health() const;

  // What a failed write means: kUnavailable (the disk is full and RocksDB recovers by itself
  // once space is freed: retrying later may succeed), or kIOError (anything else, a fatal
  // no-space error included: the log needs a restart).
  Status Classify(const rocksdb::Status& failure, std::string_view what) const;

  // The message every refusal for a full disk carries, around RocksDB's `error`.
  std::string Message(std::string_view error) const;

  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override;
  void OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) override;

 private:
  const std::string dir_;
  const size_t resume_bytes_;
  mutable std::mutex mu_;
  std::optional<std::string> stopped_;  // guarded by mu_: the no-space error RocksDB stopped on
  bool fatal_ = false;                  // guarded by mu_: RocksDB will not recover by itself
};

}  // namespace assent::storage::internal
