// LuaCpuBudget: the CPU time one Lua run may take on its thread, and the stop when it is spent.
//
// The instruction hook cannot bound time on its own: between two of its calls one instruction
// may compare two 16 MiB strings, and one library call may run for hours (patterns) or call back
// into C functions the hook never sees. So:
// - Start arms a POSIX timer on the CPU-time clock of the calling thread (timer_create with
//   CLOCK_THREAD_CPUTIME_ID, signal kCpuBudgetSignal delivered to that thread only). When it
//   fires, its handler makes the `stop` hook the state's hook, on every instruction, call and
//   return: the run stops at the next of them, wherever it was. This is how Lua's own
//   interpreter stops a script on Ctrl-C; the Lua manual allows lua_sethook in a signal handler.
//   CPU time, not wall time: a step is not failed because its thread was descheduled.
// - Library functions that can loop without an instruction or a call (lua_metered_library.h)
//   poll Exceeded(), which reads the timer itself. They need not rely on the signal arriving
//   promptly (ThreadSanitizer, for one, holds signals back until the thread next calls into
//   the C library).
//
// - Inside a SharedCpuBudget on the same thread, a run does not arm the timer: it runs under the
//   shared one, already armed, and stops when that is spent. Two system calls saved a run. (A
//   run whose own budget is smaller than the shared one cannot: it falls back to the polling.)
//
// The signal's handler is installed process-wide on first use; nothing else in the process may
// use kCpuBudgetSignal. If the timer cannot be created, only the polling remains.
// Thread safety: one budget per LuaSandbox; Start, Exceeded and Finish on one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <lua.hpp>

namespace assent::engine::internal {

class LuaCpuBudget {
 public:
  // 0 ms: no budget.
  explicit LuaCpuBudget(std::chrono::milliseconds budget) : budget_(budget) {}
  ~LuaCpuBudget() { Finish(); }
  LuaCpuBudget(const LuaCpuBudget&) = delete;
  LuaCpuBudget& operator=(const LuaCpuBudget&) = delete;

  // Starts the budget for a run of `L` on this thread; when it is spent, `stop` becomes L's
  // hook. REQUIRES: no run started and not finished.
  void Start(lua_State* L, lua_Hook stop);
  // Ends the run's budget. From its return on, the timer can no longer touch L.
  void Finish();

  // Whether the run has spent its budget (the timer fired or ran out, or the clock says so).
  bool Exceeded();
  std::chrono::milliseconds budget() const { return budget_; }
  // Whether the last run ran under a SharedCpuBudget (so it had what was left of that).
  bool shared() const { return mode_ == Mode::kShared; }

 private:
  enum class Mode {
    kNone,    // no run, or no budget
    kTimer,   // the run armed the thread's timer
    kShared,  // the run is under a SharedCpuBudget's timer
    kClock,   // polling only: no timer, or a SharedCpuBudget's is in force with a larger budget
  };
  const std::chrono::milliseconds budget_;
  Mode mode_ = Mode::kNone;
  bool running_ = false;
  bool exceeded_ = false;
  int64_t deadline_ns_ = 0;  // kClock: the run's end, on this thread's CPU-time clock
};

// SharedCpuBudget: one CPU-time budget for everything the calling thread does while it lives,
// the Lua runs in it included (Advance holds one over the steps it runs back to back). The
// thread's timer is armed once, here, and disarmed once, at the end; the LuaCpuBudgets started
// meanwhile on this thread with a budget at least as large (the engine gives both
// EngineOptions::lua_max_cpu_ms) run under it instead of arming their own. Without the timer,
// Exceeded reads the thread's clock. A budget inside another on the same thread leaves the
// outer one in charge.
class SharedCpuBudget {
 public:
  // 0 ms: no budget.
  explicit SharedCpuBudget(std::chrono::milliseconds budget);
  ~SharedCpuBudget();
  SharedCpuBudget(const SharedCpuBudget&) = delete;
  SharedCpuBudget& operator=(const SharedCpuBudget&) = delete;

  // Whether the budget is spent. With the timer no system call: it says so once the timer's
  // signal has arrived (which a sanitizer may hold back until the thread next calls libc).
  bool Exceeded() const;

 private:
  enum class Mode { kNone, kTimer, kNested, kClock };
  Mode mode_ = Mode::kNone;
  int64_t deadline_ns_ = 0;  // kClock: the end, on this thread's CPU-time clock
};

}  // namespace assent::engine::internal
