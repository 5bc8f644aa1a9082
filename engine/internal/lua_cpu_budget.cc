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
  volatile sig_atomic_t shared = 0;  // armed by a SharedCpuBudget
  int64_t shared_budget_ns = 0;       // that SharedCpuBudget's
  volatile sig_atomic_t fired = 0;
};

thread_local ThreadTimer t_timer;

int64_t Nanos(const timespec& time) {
  return static_cast<int64_t>(time.tv_sec) * 1'000'000'000 + time.tv_nsec;
}

// Whether the timer's arming has run out (a disarmed timer has too). Async-signal-safe.
bool RanOut(timer_t id) {
  itimerspec left{};
  return timer_gettime(id, &left) == 0 && Nanos(left.it_value) == 0;
}

// Async-signal-safe: the Lua manual allows lua_sethook in a signal handler.
void StopAtNextInstruction(lua_State* L, lua_Hook stop) {
  lua_sethook(L, stop, LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
}

void OnTimer(int, siginfo_t* info, void*) {
  const int saved_errno = errno;
  if (info->si_code == SI_TIMER) {
    auto* timer = static_cast<ThreadTimer*>(info->si_value.sival_ptr);
    lua_State* L = timer->state;
    // A signal held back by a sanitizer may arrive after its arming ended, or while the next
    // arming runs: only an arming in force whose timer has run out counts.
    if ((L != nullptr || timer->shared) && RanOut(timer->id)) {
      timer->fired = 1;
      if (L != nullptr) StopAtNextInstruction(L, timer->stop);
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

// Arms the timer for `nanos` of this thread's CPU time (0: disarms it).
void SetTimer(timer_t id, int64_t nanos) {
  itimerspec spec{};
  spec.it_value.tv_sec = static_cast<time_t>(nanos / 1'000'000'000);
  spec.it_value.tv_nsec = static_cast<long>(nanos % 1'000'000'000);
  timer_settime(id, 0, &spec, nullptr);
}

// Arms the timer for a new budget of `nanos`. Before the arming is put in force (a run or a
// shared budget published to the handler): until then a signal held back from the last arming
// finds none in force, and after, a timer that has not run out (OnTimer).
void ArmAfresh(ThreadTimer& timer, int64_t nanos) {
  timer.fired = 0;
  SetTimer(timer.id, nanos);
}

// Publishes `L` to the timer's handler, which stops it once the arming in force has run out.
void Publish(ThreadTimer& timer, lua_State* L, lua_Hook stop) {
  timer.stop = stop;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  timer.state = L;
  std::atomic_signal_fence(std::memory_order_seq_cst);
}

// The calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID), in nanoseconds: a system call.
int64_t ThreadCpuNanos() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return Nanos(now);
}

}  // namespace

// With the timer, a run costs two system calls, arming and disarming it, or none under a
// SharedCpuBudget; the clock is not read. Without it, the clock is read to start the budget.
void LuaCpuBudget::Start(lua_State* L, lua_Hook stop) {
  exceeded_ = false;
  mode_ = Mode::kNone;
  if (budget_.count() <= 0) return;
  const int64_t budget_ns = std::chrono::nanoseconds(budget_).count();
  running_ = true;
  ThreadTimer& timer = t_timer;
  if (timer.shared && timer.shared_budget_ns <= budget_ns) {
    mode_ = Mode::kShared;
    Publish(timer, L, stop);
    // Spent before this run began (by the steps before it): the run stops at once.
    if (timer.fired) StopAtNextInstruction(L, stop);
  } else if (timer.shared || !timer.Ensure()) {
    mode_ = Mode::kClock;
    deadline_ns_ = ThreadCpuNanos() + budget_ns;
  } else {
    mode_ = Mode::kTimer;
    ArmAfresh(timer, budget_ns);
    Publish(timer, L, stop);
  }
}

void LuaCpuBudget::Finish() {
  if (!running_) return;
  ThreadTimer& timer = t_timer;
  if (mode_ == Mode::kTimer || mode_ == Mode::kShared) {
    timer.state = nullptr;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    if (mode_ == Mode::kTimer) SetTimer(timer.id, 0);  // a shared arming is its owner's to end
    if (timer.fired) exceeded_ = true;
  }
  running_ = false;
}

bool LuaCpuBudget::Exceeded() {
  if (exceeded_ || !running_) return exceeded_;
  if (mode_ == Mode::kClock) {
    exceeded_ = ThreadCpuNanos() >= deadline_ns_;
  } else if (t_timer.fired) {
    exceeded_ = true;
  } else {
    // Run out, though its signal may not have arrived (sanitizers hold signals back).
    exceeded_ = RanOut(t_timer.id);
  }
  return exceeded_;
}

SharedCpuBudget::SharedCpuBudget(std::chrono::milliseconds budget) {
  if (budget.count() <= 0) return;
  const int64_t budget_ns = std::chrono::nanoseconds(budget).count();
  ThreadTimer& timer = t_timer;
  if (timer.shared) {
    mode_ = Mode::kNested;
  } else if (timer.Ensure()) {
    mode_ = Mode::kTimer;
    timer.shared_budget_ns = budget_ns;
    ArmAfresh(timer, budget_ns);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    timer.shared = 1;
    std::atomic_signal_fence(std::memory_order_seq_cst);
  } else {
    mode_ = Mode::kClock;
    deadline_ns_ = ThreadCpuNanos() + budget_ns;
  }
}

SharedCpuBudget::~SharedCpuBudget() {
  if (mode_ != Mode::kTimer) return;
  ThreadTimer& timer = t_timer;
  timer.shared = 0;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  SetTimer(timer.id, 0);
}

bool SharedCpuBudget::Exceeded() const {
  switch (mode_) {
    case Mode::kNone: return false;
    case Mode::kTimer:
    case Mode::kNested: return t_timer.fired != 0;
    case Mode::kClock: return ThreadCpuNanos() >= deadline_ns_;
  }
  return false;
}

}  // namespace assent::engine::internal
