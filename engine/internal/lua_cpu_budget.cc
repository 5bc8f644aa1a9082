#include "engine/internal/lua_cpu_budget.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <mutex>
#include <pthread.h>
#include <unistd.h>

namespace assent::engine::internal {
namespace {

int CpuBudgetSignal() { return SIGRTMIN + 5; }

// One CPU-time timer per thread that runs Lua, created on the thread's first run and deleted
// when the thread ends. The fields the signal handler reads are volatile and written with
// signal fences around them: the handler runs on this same thread, between any two
// instructions of it.
struct ThreadTimer {
  ~ThreadTimer() {
    if (created) timer_delete(id);
  }
  bool Ensure();

  timer_t id{};
  bool created = false;
  bool unavailable = false;
  lua_State* volatile state = nullptr;  // the run the timer may stop; null when none
  volatile lua_Hook stop = nullptr;
  volatile int64_t deadline_ns = 0;
  volatile sig_atomic_t fired = 0;
};

thread_local ThreadTimer t_timer;

void OnTimer(int, siginfo_t* info, void*) {
  const int saved_errno = errno;
  if (info->si_code == SI_TIMER) {
    auto* timer = static_cast<ThreadTimer*>(info->si_value.sival_ptr);
    lua_State* L = timer->state;
    // A signal held back by a sanitizer may arrive after its run: stop only a run whose budget
    // is spent.
    if (L != nullptr && ThreadCpuNanos() >= timer->deadline_ns) {
      timer->fired = 1;
      lua_sethook(L, timer->stop, LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
    }
  }
  errno = saved_errno;
}

void InstallHandler() {
  struct sigaction action{};
  action.sa_sigaction = OnTimer;
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigaction(CpuBudgetSignal(), &action, nullptr);
}

bool ThreadTimer::Ensure() {
  if (created) return true;
  if (unavailable) return false;
  static std::once_flag installed;
  std::call_once(installed, InstallHandler);
  sigevent event{};
  event.sigev_notify = SIGEV_THREAD_ID;
  event.sigev_signo = CpuBudgetSignal();
  event.sigev_value.sival_ptr = this;
  event._sigev_un._tid = gettid();  // glibc 2.36 names no field for SIGEV_THREAD_ID
  if (timer_create(CLOCK_THREAD_CPUTIME_ID, &event, &id) != 0) {
    unavailable = true;
    return false;
  }
  // A thread may have been started with signals blocked; this one must reach it.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, CpuBudgetSignal());
  pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
  created = true;
  return true;
}

}  // namespace

int64_t ThreadCpuNanos() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);  // async-signal-safe: OnTimer calls it
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

namespace {

void SetTimer(timer_t id, int64_t nanos) {
  itimerspec spec{};
  spec.it_value.tv_sec = static_cast<time_t>(nanos / 1'000'000'000);
  spec.it_value.tv_nsec = static_cast<long>(nanos % 1'000'000'000);
  timer_settime(id, 0, &spec, nullptr);
}

}  // namespace

void LuaCpuBudget::Start(lua_State* L, lua_Hook stop) {
  exceeded_ = false;
  if (budget_.count() <= 0) return;
  const int64_t budget_ns = std::chrono::nanoseconds(budget_).count();
  running_ = true;
  deadline_ns_ = ThreadCpuNanos() + budget_ns;
  ThreadTimer& timer = t_timer;
  if (!timer.Ensure()) return;
  timer.fired = 0;
  timer.stop = stop;
  timer.deadline_ns = deadline_ns_;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  timer.state = L;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  SetTimer(timer.id, budget_ns);
}

void LuaCpuBudget::Finish() {
  if (!running_) return;
  ThreadTimer& timer = t_timer;
  if (timer.created) {
    timer.state = nullptr;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    SetTimer(timer.id, 0);  // disarms
    if (timer.fired) exceeded_ = true;
  }
  running_ = false;
}

bool LuaCpuBudget::Exceeded() {
  if (exceeded_ || !running_) return exceeded_;
  if (t_timer.fired || ThreadCpuNanos() >= deadline_ns_) exceeded_ = true;
  return exceeded_;
}

}  // namespace assent::engine::internal
