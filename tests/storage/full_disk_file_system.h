// FullDiskFileSystem: RocksDB's file system with a switch that makes the disk full. While it is
// on, every write into a file (Append, PositionedAppend) fails with IOStatus::NoSpace, as
// write(2) does with ENOSPC; creating, reading, renaming and deleting files work as before,
// and so does the free-space query (RocksDB's recovery polls it and simply tries again).
// Handed to RocksEventLog through RocksEventLogOptions::file_system: a deterministic disk that
// fills and empties on cue, for the tests that cannot mount a small tmpfs (and beside those
// that can).
//
// Thread safety: SetFull from any thread; RocksDB calls the rest from its own threads.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <rocksdb/file_system.h>

namespace assent::testing {

class FullDiskFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  FullDiskFileSystem() : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}

  static const char* kClassName() { return "AssentFullDiskFileSystem"; }
  const char* Name() const override { return kClassName(); }

  void SetFull(bool full) { full_->store(full); }
  // Writes refused so far: shows that the disk was full when something tried to write.
  uint64_t refused_writes() const { return refused_->load(); }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& name,
                                       const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* file,
                                       rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* file,
                                      rocksdb::IODebugContext* debug) override;

 private:
  // Shared with every file opened, which may outlive nothing but the file system itself.
  std::shared_ptr<std::atomic<bool>> full_ = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<std::atomic<uint64_t>> refused_ = std::make_shared<std::atomic<uint64_t>>(0);
};

}  // namespace assent::testing
