#include "storage/internal/disk_full.h"

namespace assent::storage::internal {

Status DiskFull::Health() const {
  std::lock_guard lock(mu_);
  if (!stopped_) return Status::Ok();
  return Status::Unavailable(Message(*stopped_));
}

Status DiskFull::Classify(const rocksdb::Status& failure, std::string_view what) const {
  std::string error = failure.ToString();
  if (failure.IsNoSpace()) {
    std::lock_guard lock(mu_);
    if (!fatal_) return Status::Unavailable(Message(error));
  }
  return Status::IOError(std::string(what) + ": " + error);
}

std::string DiskFull::Message(std::string_view error) const {
  return "the disk is full: writes are refused, reads still work; writes resume by themselves "
         "within seconds once " + std::to_string(resume_bytes_ >> 20) +
         " MiB are free on the file system of " + dir_ + " (" + std::string(error) + ")";
}

void DiskFull::OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* error) {
  if (!error->IsNoSpace()) return;
  std::lock_guard lock(mu_);
  // Soft errors (a compaction out of space) keep writes going: only a stop matters here.
  if (error->severity() >= rocksdb::Status::Severity::kHardError) stopped_ = error->ToString();
  if (error->severity() >= rocksdb::Status::Severity::kFatalError) fatal_ = true;
}

void DiskFull::OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) {
  if (!info.new_bg_error.ok()) return;  // still stopped; RocksDB tries again
  std::lock_guard lock(mu_);
  stopped_.reset();
}

}  // namespace assent::storage::internal
