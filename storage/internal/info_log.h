// InfoLog: where RocksDB writes its own diagnostics (DIR/LOG), in place of RocksDB's default
// logger, which aborts the process on a full disk: its file writer asserts (in the Debian
// build, where RocksDB's assertions are on) when a write follows one that failed, so the second
// line RocksDB logs after ENOSPC killed the server with SIGABRT, and so did opening a data
// directory on a full disk (RocksDB logs while it opens). Here a line that cannot be written is
// dropped and counted, and the next one is tried afresh.
//
// Lines are appended to LOG; one that outgrows kMaxInfoLogBytes becomes LOG.old (one generation
// kept). Nothing is rotated at open: an open that then fails (another server holds the
// directory) adds its lines to that server's LOG instead of moving it away under it. If the file
// cannot be opened the lines go nowhere: RocksDB's diagnostics never stop the server.
//
// Thread safety: RocksDB logs from many threads; Logv takes a mutex (RocksDB logs rarely: at
// open, on flushes and compactions, on errors, and a stats dump every 10 minutes).
#pragma once

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>

#include <rocksdb/env.h>

namespace assent::storage::internal {

inline constexpr size_t kMaxInfoLogBytes = 16 << 20;

class InfoLog final : public rocksdb::Logger {
 public:
  // Appends to DIR/LOG. REQUIRES: `dir` exists.
  explicit InfoLog(std::string dir);
  ~InfoLog() override;
  InfoLog(const InfoLog&) = delete;
  InfoLog& operator=(const InfoLog&) = delete;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list args) override;
  size_t GetLogFileSize() const override;

  // Lines that could not be written (a full disk), for tests.
  uint64_t dropped() const;

 private:
  // Opens LOG for appending. REQUIRES: mu_ held.
  void OpenFile();
  // Moves LOG to LOG.old and opens a new LOG. REQUIRES: mu_ held.
  void Rotate();

  const std::string path_;
  mutable std::mutex mu_;
  int fd_ = -1;       // guarded by mu_; -1: no file, lines go nowhere
  size_t size_ = 0;   // guarded by mu_
  uint64_t dropped_ = 0;  // guarded by mu_
};

}  // namespace assent::storage::internal
