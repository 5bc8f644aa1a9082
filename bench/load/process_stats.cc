#include "bench/load/process_stats.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace assent::bench {
namespace {

constexpr const char* kSyncEvents =
    "syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync,syscalls:sys_enter_sync_file_range";

}  // namespace

double CpuSeconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t after_name = text.rfind(')');
  if (after_name == std::string::npos) return 0;
  std::istringstream fields(text.substr(after_name + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 1; fields >> field; ++i) {  // field 1 here is the state, field 12 utime
    if (i == 12) utime = std::stol(field);
    if (i == 13) {
      stime = std::stol(field);
      break;
    }
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

size_t ResidentBytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6)) * 1024;
  }
  return 0;
}

long OpenFilesLimit(pid_t pid) {
  std::ifstream limits("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(limits, line)) {
    if (line.rfind("Max open files", 0) != 0) continue;
    std::istringstream fields(line.substr(14));
    std::string soft;
    fields >> soft;
    return soft == "unlimited" ? -1 : std::stol(soft);
  }
  return -1;
}

long RaiseOpenFilesLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur == RLIM_INFINITY ? -1 : static_cast<long>(limit.rlim_cur);
}

std::unique_ptr<SyncCounter> SyncCounter::Start(pid_t pid, std::string* why_not) {
  if (std::system(("perf stat -x, -e " + std::string(kSyncEvents) + " -- true >/dev/null 2>&1").c_str()) != 0) {
    *why_not = "perf with syscall tracepoints is not usable (install linux-perf; needs root)";
    return nullptr;
  }
  std::string output = "/tmp/assent-bench-syncs-" + std::to_string(getpid()) + ".txt";
  pid_t perf = fork();
  if (perf == 0) {
    std::string target = std::to_string(pid);
    execlp("perf", "perf", "stat", "-x,", "-o", output.c_str(), "-e", kSyncEvents, "-p",
           target.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // perf attaches asynchronously; give it a moment so the measured phase is fully counted.
  usleep(300'000);
  return std::unique_ptr<SyncCounter>(new SyncCounter(perf, output));
}

SyncCounter::~SyncCounter() { Stop(); }

std::optional<long> SyncCounter::Stop() {
  if (perf_pid_ <= 0) return std::nullopt;
  kill(perf_pid_, SIGINT);
  waitpid(perf_pid_, nullptr, 0);
  perf_pid_ = -1;
  std::ifstream file(output_file_);
  std::string line;
  long total = 0;
  bool any = false;
  while (std::getline(file, line)) {
    if (line.find("syscalls:sys_enter_") == std::string::npos) continue;
    char* end = nullptr;
    long count = std::strtol(line.c_str(), &end, 10);
    if (end != line.c_str()) {
      total += count;
      any = true;
    }
  }
  std::remove(output_file_.c_str());
  return any ? std::optional<long>(total) : std::nullopt;
}

}  // namespace assent::bench
