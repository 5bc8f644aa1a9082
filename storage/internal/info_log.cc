#include "storage/internal/info_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

namespace assent::storage::internal {

InfoLog::InfoLog(std::string dir) : path_(std::move(dir) + "/LOG") {
  std::lock_guard lock(mu_);
  OpenFile();
}

InfoLog::~InfoLog() {
  if (fd_ >= 0) ::close(fd_);
}

void InfoLog::OpenFile() {
  // 0644 before the process umask, as RocksDB's own files: `assent serve` narrows it to 0640.
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  struct stat info {};
  size_ = fd_ >= 0 && ::fstat(fd_, &info) == 0 ? static_cast<size_t>(info.st_size) : 0;
}

void InfoLog::Rotate() {
  if (fd_ >= 0) ::close(fd_);
  // A rename needs no free space, so it works on a full disk too.
  std::rename(path_.c_str(), (path_ + ".old").c_str());
  OpenFile();
}

void InfoLog::Logv(const char* format, va_list args) {
  // "2026/01/02-03:04:05.123456 <thread> message\n", as RocksDB's own LOG lines.
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()) %
                std::chrono::seconds(1);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char line[4096];
  int used = std::snprintf(line, sizeof line, "%04d/%02d/%02d-%02d:%02d:%02d.%06lld %zx ",
                           utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                           utc.tm_min, utc.tm_sec, static_cast<long long>(micros.count()),
                           std::hash<std::thread::id>{}(std::this_thread::get_id()) & 0xffffff);
  int message = std::vsnprintf(line + used, sizeof line - used - 1, format, args);
  size_t length = used + std::min<size_t>(message > 0 ? message : 0, sizeof line - used - 2);
  line[length++] = '\n';

  std::lock_guard lock(mu_);
  if (size_ + length > kMaxInfoLogBytes) Rotate();
  if (fd_ < 0 || ::write(fd_, line, length) != static_cast<ssize_t>(length)) {
    ++dropped_;  // a full disk: the line is lost, the server carries on
    return;
  }
  size_ += length;
}

size_t InfoLog::GetLogFileSize() const {
  std::lock_guard lock(mu_);
  return size_;
}

uint64_t InfoLog::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

}  // namespace assent::storage::internal
