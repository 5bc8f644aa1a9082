// What the kernel says about a process: CPU time used, and (through `perf stat` tracepoints on
// the fsync family of syscalls) how many times it synced, so durability is measured, not assumed.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>

namespace assent::bench {

// User + system CPU seconds of every thread of `pid`, from /proc/PID/stat.
double CpuSeconds(pid_t pid);
// Resident set size in bytes, from /proc/PID/status (VmRSS).
size_t ResidentBytes(pid_t pid);
// The soft limit on open files of `pid` (/proc/PID/limits), or -1 when unreadable/unlimited.
long OpenFilesLimit(pid_t pid);
// Raises this process's soft open-files limit to its hard limit (children inherit it) and
// returns the new soft limit.
long RaiseOpenFilesLimit();

// Counts fsync, fdatasync and sync_file_range calls of a process while alive. Needs Debian's
// linux-perf and permission to read syscall tracepoints (root); Start says why when it cannot.
class SyncCounter {
 public:
  static std::unique_ptr<SyncCounter> Start(pid_t pid, std::string* why_not);
  ~SyncCounter();
  // Stops counting; the total, or nullopt when perf reported nothing.
  std::optional<long> Stop();

 private:
  SyncCounter(pid_t perf_pid, std::string output_file)
      : perf_pid_(perf_pid), output_file_(std::move(output_file)) {}
  pid_t perf_pid_;
  std::string output_file_;
};

}  // namespace assent::bench
