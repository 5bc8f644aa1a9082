// Durable appends to a real RocksEventLog (synced WAL, as in production) in a temp dir.
//
// BM_Append: one producer, one batch in flight, `range(0)` events per Append: one fsync per
// batch, so this shows what batching buys. BM_AppendConcurrent: `threads` producers each keeping
// one batch of 16 in flight: the group committer folds whatever is queued into one synced write.
//
// Records are ~200-byte StepCompleted events, 8 per run (a run id per 8 records, seqs 1..8),
// plus one runs-by-status index entry per run, as a start's transaction writes. Each record is a
// copy of one pre-built event with its run id and seq patched in place, so the timed region
// holds the log's work (validation, WriteBatch, WAL write, fsync, callbacks) and not encoding
// (see event_bench for that). Counters: events/s, syncs/event (synced writes per event, from
// the log's CommitStats) and batches/sync (how many Appends one fsync carried).
#include <sys/vfs.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include <benchmark/benchmark.h>

#include "bench/micro/w1_events.h"
#include "schemas/event_generated.h"
#include "storage/rocks_event_log.h"
#include "tests/support/temp_dir.h"

namespace assent::bench {
namespace {

constexpr uint64_t kEventsPerRun = 8;
constexpr uint64_t kSeqMarker = 0x5ec5ec5ec5ec5ec5;  // occurs nowhere else in the template
constexpr long kTmpfsMagic = 0x01021994;

// Makes valid, distinct records cheaply: a template event with the run id and seq overwritten.
class RecordMaker {
 public:
  RecordMaker() {
    fb::StepCompletedT body;
    body.step_id = "extract";
    body.output = R"({"amount":72000,"vendor":"vendor-42","invoice_id":"inv-4242",)"
                  R"("currency":"EUR","lines":[1,2,3],"ok":true})";
    body.next = "check";
    fb::EventT event;
    event.run_id = BenchRunId(0);
    event.seq = kSeqMarker;  // found below, then overwritten per record
    event.at_ms = 1'750'000'000'000;
    event.body.Set(std::move(body));
    flatbuffers::FlatBufferBuilder builder(256);
    builder.Finish(fb::Event::Pack(builder, &event));
    template_.assign(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
    const fb::Event* parsed = fb::GetEvent(template_.data());
    const auto* base = reinterpret_cast<const uint8_t*>(template_.data());
    run_id_offset_ = reinterpret_cast<const uint8_t*>(parsed->run_id()->data()) - base;
    std::string marker(sizeof(uint64_t), '\0');
    flatbuffers::WriteScalar<uint64_t>(marker.data(), kSeqMarker);
    seq_offset_ = template_.find(marker);
    if (seq_offset_ == std::string::npos) throw std::logic_error("seq not found in the template");
  }

  size_t record_bytes() const { return template_.size(); }

  // `events` records continuing this maker's sequence of runs (ids from the shared counter).
  storage::AppendBatch Batch(int events) {
    storage::AppendBatch batch;
    batch.records.reserve(events);
    for (int i = 0; i < events; ++i) {
      if (seq_ == kEventsPerRun || run_id_.empty()) {
        run_id_ = BenchRunId(next_run_.fetch_add(1, std::memory_order_relaxed));
        seq_ = 0;
        batch.index_ops.push_back({storage::Index::kRunsByStatus, "\x01" + run_id_, "w1"});
      }
      ++seq_;
      storage::Record record{run_id_, seq_, template_};
      std::memcpy(record.bytes.data() + run_id_offset_, run_id_.data(), run_id_.size());
      flatbuffers::WriteScalar<uint64_t>(record.bytes.data() + seq_offset_, seq_);
      batch.records.push_back(std::move(record));
    }
    return batch;
  }

 private:
  static inline std::atomic<uint64_t> next_run_{1};
  std::string template_;
  size_t run_id_offset_ = 0;
  size_t seq_offset_ = 0;
  std::string run_id_;
  uint64_t seq_ = 0;
};

// fsync on tmpfs is free: say so rather than print an impossible figure as durable.
void LabelFilesystem(benchmark::State& state, const std::string& dir) {
  struct statfs fs {};
  if (statfs(dir.c_str(), &fs) == 0 && fs.f_type == kTmpfsMagic) {
    state.SetLabel("tmpfs: fsync is a no-op, set TMPDIR to a disk");
  }
}

void ReportStats(benchmark::State& state, storage::CommitStats before,
                 storage::CommitStats after, double events) {
  const double writes = static_cast<double>(after.writes - before.writes);
  const double batches = static_cast<double>(after.batches - before.batches);
  state.counters["syncs/event"] = events > 0 ? writes / events : 0;
  state.counters["batches/sync"] = writes > 0 ? batches / writes : 0;
}

std::unique_ptr<storage::RocksEventLog> OpenLog(benchmark::State& state,
                                                const testing::TempDir& dir) {
  auto log = storage::RocksEventLog::Open(dir.str());
  if (!log.ok()) {
    state.SkipWithError(log.status().ToString().c_str());
    return nullptr;
  }
  LabelFilesystem(state, dir.str());
  return std::move(log).value();
}

void BM_Append(benchmark::State& state) {
  const int events_per_batch = static_cast<int>(state.range(0));
  testing::TempDir dir;
  std::unique_ptr<storage::RocksEventLog> log = OpenLog(state, dir);
  if (log == nullptr) return;
  RecordMaker maker;
  const storage::CommitStats before = log->stats();
  double events = 0;
  for (auto _ : state) {
    Status status = AppendAndWait(*log, maker.Batch(events_per_batch));
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      break;
    }
    events += events_per_batch;
  }
  ReportStats(state, before, log->stats(), events);
  state.counters["events/s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<int64_t>(events * maker.record_bytes()));
}
BENCHMARK(BM_Append)->Arg(1)->Arg(16)->Arg(64)->Arg(256)->UseRealTime();

// Shared by the producer threads of one BM_AppendConcurrent run; set up before they start.
struct SharedLog {
  testing::TempDir dir;
  std::unique_ptr<storage::RocksEventLog> log;
  storage::CommitStats before;
};
SharedLog* shared = nullptr;

void SetUpSharedLog(const benchmark::State&) {
  shared = new SharedLog;
  auto log = storage::RocksEventLog::Open(shared->dir.str());
  if (!log.ok()) return;
  shared->log = std::move(log).value();
  shared->before = shared->log->stats();
}

void TearDownSharedLog(const benchmark::State&) {
  delete shared;
  shared = nullptr;
}

constexpr int kConcurrentBatch = 16;

void BM_AppendConcurrent(benchmark::State& state) {
  if (shared == nullptr || shared->log == nullptr) {
    state.SkipWithError("could not open the log");
    return;
  }
  storage::RocksEventLog& log = *shared->log;
  if (state.thread_index() == 0) LabelFilesystem(state, shared->dir.str());
  RecordMaker maker;
  double events = 0;
  for (auto _ : state) {
    Status status = AppendAndWait(log, maker.Batch(kConcurrentBatch));
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      break;
    }
    events += kConcurrentBatch;
  }
  // Every thread's events are summed; the rate is over the run's wall time.
  state.counters["events/s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  if (state.thread_index() == 0) {
    // After the loop's closing barrier: every producer is done. Totals over all producers.
    const storage::CommitStats after = log.stats();
    const double all_events = static_cast<double>(after.batches - shared->before.batches) *
                              kConcurrentBatch;
    ReportStats(state, shared->before, after, all_events);
  }
}
BENCHMARK(BM_AppendConcurrent)
    ->Setup(SetUpSharedLog)
    ->Teardown(TearDownSharedLog)
    ->Threads(8)
    ->Threads(32)
    ->UseRealTime();

}  // namespace
}  // namespace assent::bench
