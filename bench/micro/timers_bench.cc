// timers_bench: how quickly the engine fires many approval timeouts that come due in the same
// millisecond, each recorded in the log (ApprovalTimedOut, the step's completion, the run's end).
//
//   timers_bench [--runs N] [--concurrency C]
//
// An engine over RocksDB on a temp dir, with a clock of its own (EngineHooks::clock): N runs of
// a one-approval workflow with a 1-hour timeout are started with the clock held still, so every
// timer is due at the same millisecond; then the clock moves past it and the bench waits until
// no run waits any more. Prints the figures and a RESULT_JSON line; exits 1 when a run did not
// end as timed out.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "engine/internal/open_engine.h"
#include "storage/rocks_event_log.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace assent;
namespace json = boost::json;

constexpr int64_t kStartMs = 1'800'000'000'000;
constexpr int64_t kHourMs = 3'600'000;
const engine::Principal kAdmin{.id = "admin", .admin = true};

constexpr const char* kTimedWorkflow = R"({"steps": [
  {"id": "review", "type": "approval", "message": "ok?", "timeout": "1h", "on_timeout": "approve"},
  {"id": "done", "type": "code", "lua": "return {decision = steps.review.decision}"}]})";

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Runs waiting (bounded scan: one page says whether any is left).
bool AnyWaiting(engine::Engine& engine) {
  auto page = engine.ListRuns(kAdmin, engine::RunQuery{.status = engine::RunStatus::kWaiting,
                                                       .limit = 1});
  return !page.ok() || !page->runs.empty();
}

// Starts `runs` runs with at most `concurrency` in flight; false when one failed.
bool StartAll(engine::Engine& engine, int runs, int concurrency) {
  std::mutex mu;
  std::condition_variable changed;
  int in_flight = 0;
  bool failed = false;
  for (int i = 0; i < runs; ++i) {
    std::unique_lock lock(mu);
    changed.wait(lock, [&] { return in_flight < concurrency; });
    ++in_flight;
    lock.unlock();
    engine.StartRun(engine::StartRunCommand{.workflow = "timed",
                                            .input = json::object{{"i", i}},
                                            .actor = {.principal = kAdmin}},
                    [&](Result<engine::StartRunResult> result) {
                      std::lock_guard done(mu);
                      failed = failed || !result.ok();
                      --in_flight;
                      changed.notify_one();
                    });
  }
  std::unique_lock lock(mu);
  changed.wait(lock, [&] { return in_flight == 0; });
  return !failed;
}

int IntFlag(int argc, char** argv, std::string_view name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return std::atoi(argv[i + 1]);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = IntFlag(argc, argv, "--runs", 100'000);
  const int concurrency = IntFlag(argc, argv, "--concurrency", 256);
  if (runs < 1 || concurrency < 1) {
    std::fprintf(stderr, "usage: timers_bench [--runs N >= 1] [--concurrency C >= 1]\n");
    return 2;
  }
  testing::TempDir dir;
  auto log = storage::RocksEventLog::Open(dir.str());
  if (!log.ok()) {
    std::fprintf(stderr, "timers_bench: %s\n", log.status().ToString().c_str());
    return 1;
  }
  std::atomic<int64_t> now{kStartMs};
  engine::EngineHooks hooks;
  hooks.clock = [&now] { return now.load(); };
  hooks.timer_poll = std::chrono::milliseconds(1);
  auto opened = engine::OpenEngine(**log, engine::EngineOptions{}, std::move(hooks));
  if (!opened.ok()) {
    std::fprintf(stderr, "timers_bench: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  engine::Engine& engine = **opened;
  if (auto applied = engine.ApplyWorkflow(kAdmin, "timed", json::parse(kTimedWorkflow));
      !applied.ok()) {
    std::fprintf(stderr, "timers_bench: %s\n", applied.status().ToString().c_str());
    return 1;
  }

  auto begin = std::chrono::steady_clock::now();
  if (!StartAll(engine, runs, concurrency)) {
    std::fprintf(stderr, "timers_bench: a start failed\n");
    return 1;
  }
  double start_s = Seconds(begin);

  begin = std::chrono::steady_clock::now();
  now += kHourMs;  // every timer is due now, in the same millisecond
  while (AnyWaiting(engine)) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  double fire_s = Seconds(begin);

  auto timed_out = engine.ListApprovals(
      kAdmin, engine::ApprovalQuery{.status = engine::ApprovalStatus::kPending, .limit = 1});
  bool all_done = timed_out.ok() && timed_out->approvals.empty();
  std::printf("timers_bench: %d runs, %d in flight\n", runs, concurrency);
  std::printf("  started (each arming a timer)   %.2f s (%.0f runs/s)\n", start_s, runs / start_s);
  std::printf("  all due in one ms: fired, committed and every run ended in %.2f s (%.0f/s)\n",
              fire_s, runs / fire_s);
  std::printf("RESULT_JSON %s\n",
              json::serialize(json::object{{"runs", runs},
                                           {"start_s", start_s},
                                           {"fire_s", fire_s},
                                           {"fired_per_s", runs / fire_s},
                                           {"errors", all_done ? 0 : 1}})
                  .c_str());
  return all_done ? 0 : 1;
}
