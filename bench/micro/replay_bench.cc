// Replay as recovery does it: list runs from the runs-by-status index, then read, verify and
// fold each one (LoadRunState). N W1 runs (half with an approval) are written
// once per N, outside the timing; before every iteration the log is closed and reopened (not
// timed), so the block cache and memtable start cold as after a restart. The OS page cache stays
// warm: this is recovery's CPU cost, not the disk's.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench/micro/w1_events.h"
#include "engine/internal/index_keys.h"
#include "engine/internal/run_loader.h"
#include "storage/rocks_event_log.h"
#include "tests/support/temp_dir.h"

namespace assent::bench {
namespace {

struct Written {
  testing::TempDir dir;
  uint64_t events = 0;
};

// Written once per size and kept for the process (the benchmark function runs several times).
Result<const Written*> LogWith(int runs) {
  static std::map<int, std::unique_ptr<Written>> logs;
  auto& slot = logs[runs];
  if (slot == nullptr) {
    auto written = std::make_unique<Written>();
    auto log = storage::RocksEventLog::Open(written->dir.str());
    if (!log.ok()) return log.status();
    auto events = WriteW1Runs(**log, runs);
    if (!events.ok()) return events.status();
    written->events = *events;
    slot = std::move(written);
  }
  return slot.get();
}

void BM_ReplayRuns(benchmark::State& state) {
  const int runs = static_cast<int>(state.range(0));
  auto written = LogWith(runs);
  if (!written.ok()) return state.SkipWithError(written.status().ToString().c_str());
  std::unique_ptr<storage::RocksEventLog> log;
  for (auto _ : state) {
    state.PauseTiming();
    log.reset();  // closes the previous iteration's log first: one opener at a time
    auto opened = storage::RocksEventLog::Open((*written)->dir.str());
    if (!opened.ok()) return state.SkipWithError(opened.status().ToString().c_str());
    log = std::move(opened).value();
    state.ResumeTiming();

    std::vector<std::string> run_ids;
    Status scanned = log->ScanIndex(storage::Index::kRunsByStatus, "",
                                    [&](std::string_view key, std::string_view) {
                                      run_ids.emplace_back(engine::DecodeRunsByStatusKey(key)->id);
                                      return true;
                                    });
    if (!scanned.ok()) return state.SkipWithError(scanned.ToString().c_str());
    size_t folded = 0;
    for (const std::string& run_id : run_ids) {
      auto run = engine::RunLoader(*log, NullLogger()).Load(run_id);
      if (!run.ok()) return state.SkipWithError(run.status().ToString().c_str());
      benchmark::DoNotOptimize(run);
      folded += run->status == engine::RunStatus::kCompleted;
    }
    if (folded != static_cast<size_t>(runs)) {
      return state.SkipWithError("runs missing or not completed");
    }
  }
  log.reset();  // after the loop: not timed
  const double iterations = static_cast<double>(state.iterations());
  state.counters["runs/s"] = benchmark::Counter(iterations * runs, benchmark::Counter::kIsRate);
  const double events = static_cast<double>((*written)->events);
  state.counters["events/s"] = benchmark::Counter(iterations * events, benchmark::Counter::kIsRate);
  state.counters["events/run"] = events / runs;
}
BENCHMARK(BM_ReplayRuns)->Arg(1000)->Arg(10000)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace assent::bench
