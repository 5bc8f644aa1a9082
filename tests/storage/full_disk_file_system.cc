#include "tests/storage/full_disk_file_system.h"

#include <utility>

namespace assent::testing {
namespace {

// A file whose writes fail while the disk is full.
class FullDiskFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FullDiskFile(std::unique_ptr<rocksdb::FSWritableFile> file,
               std::shared_ptr<std::atomic<bool>> full,
               std::shared_ptr<std::atomic<uint64_t>> refused)
      : rocksdb::FSWritableFileOwnerWrapper(std::move(file)),
        full_(std::move(full)),
        refused_(std::move(refused)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
    if (rocksdb::IOStatus s = Space(); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::Append(data, options, debug);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* debug) override {
    if (rocksdb::IOStatus s = Space(); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::Append(data, options, info, debug);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* debug) override {
    if (rocksdb::IOStatus s = Space(); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::PositionedAppend(data, offset, options, debug);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* debug) override {
    if (rocksdb::IOStatus s = Space(); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::PositionedAppend(data, offset, options, info, debug);
  }

 private:
  rocksdb::IOStatus Space() {
    if (!full_->load()) return rocksdb::IOStatus::OK();
    refused_->fetch_add(1);
    return rocksdb::IOStatus::NoSpace("injected: the test's disk is full");
  }

  std::shared_ptr<std::atomic<bool>> full_;
  std::shared_ptr<std::atomic<uint64_t>> refused_;
};

}  // namespace

rocksdb::IOStatus FullDiskFileSystem::NewWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* file, rocksdb::IODebugContext* debug) {
  rocksdb::IOStatus s = FileSystemWrapper::NewWritableFile(name, options, file, debug);
  if (s.ok()) *file = std::make_unique<FullDiskFile>(std::move(*file), full_, refused_);
  return s;
}

rocksdb::IOStatus FullDiskFileSystem::ReopenWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* file, rocksdb::IODebugContext* debug) {
  rocksdb::IOStatus s = FileSystemWrapper::ReopenWritableFile(name, options, file, debug);
  if (s.ok()) *file = std::make_unique<FullDiskFile>(std::move(*file), full_, refused_);
  return s;
}

rocksdb::IOStatus FullDiskFileSystem::ReuseWritableFile(
    const std::string& name, const std::string& old_name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* file, rocksdb::IODebugContext* debug) {
  rocksdb::IOStatus s = FileSystemWrapper::ReuseWritableFile(name, old_name, options, file, debug);
  if (s.ok()) *file = std::make_unique<FullDiskFile>(std::move(*file), full_, refused_);
  return s;
}

}  // namespace assent::testing
