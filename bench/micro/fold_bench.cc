// Folding one run: BM_FoldRun applies the events of one completed W1 run with an approval (as
// the engine's deciders emit them, see w1_events.h; `events/run` says how many) to a fresh
// RunState: the engine's Apply and nothing else; BM_LoadRunState does what the
// engine does for a run not in memory: read its records from a RocksEventLog, verify each, fold.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench/micro/w1_events.h"
#include "engine/internal/run_loader.h"
#include "engine/internal/run_state.h"
#include "schemas/event_generated.h"
#include "storage/rocks_event_log.h"
#include "tests/support/temp_dir.h"

namespace assent::bench {
namespace {

// The records of 16 approved W1 runs (even indexes), so consecutive iterations differ.
std::vector<std::vector<std::string>> ApprovedRuns() {
  std::vector<std::vector<std::string>> runs;
  for (int index = 0; index < 32; index += 2) {
    std::vector<std::string>& records = runs.emplace_back();
    for (storage::AppendBatch& batch : W1RunBatches(index, BenchRunId(index))) {
      for (storage::Record& record : batch.records) records.push_back(std::move(record.bytes));
    }
  }
  return runs;
}

void BM_FoldRun(benchmark::State& state) {
  const std::vector<std::vector<std::string>> runs = ApprovedRuns();
  size_t i = 0;
  for (auto _ : state) {
    engine::RunState run;
    for (const std::string& record : runs[i++ % runs.size()]) {
      engine::Apply(run, *fb::GetEvent(record.data()));
    }
    benchmark::DoNotOptimize(run);
    benchmark::ClobberMemory();
  }
  state.counters["events/run"] = static_cast<double>(runs[0].size());
  state.counters["events/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * runs[0].size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FoldRun);

// 1000 W1 runs (half with an approval); iterations cycle through the approved ones. The block
// cache is warm after the first pass: this is a hot read, not recovery (see replay_bench).
constexpr int kRuns = 1000;

void BM_LoadRunState(benchmark::State& state) {
  testing::TempDir dir;
  auto opened = storage::RocksEventLog::Open(dir.str());
  if (!opened.ok()) return state.SkipWithError(opened.status().ToString().c_str());
  std::unique_ptr<storage::RocksEventLog> log = std::move(opened).value();
  if (auto written = WriteW1Runs(*log, kRuns); !written.ok()) {
    return state.SkipWithError(written.status().ToString().c_str());
  }
  std::vector<std::string> run_ids;
  for (int index = 0; index < kRuns; index += 2) run_ids.push_back(BenchRunId(index));
  size_t i = 0;
  for (auto _ : state) {
    auto run = engine::RunLoader(*log, NullLogger()).Load(run_ids[i++ % run_ids.size()]);
    if (!run.ok() || run->status != engine::RunStatus::kCompleted) {
      return state.SkipWithError(run.ok() ? "run not completed" : run.status().ToString().c_str());
    }
    benchmark::DoNotOptimize(run);
  }
}
BENCHMARK(BM_LoadRunState);

}  // namespace
}  // namespace assent::bench
