// Shared by the micro-benchmarks: W1 runs as the engine writes them, and a synchronous append.
//
// W1RunBatches runs the engine's own deciders (engine/internal/run_commands.h) on the W1
// definition (bench/load/w1.h), one RunTxn per command as the engine commits them: the start,
// which runs to the approval request (or to the end for a run below the threshold), then the
// approval's decision, which runs to RunCompleted. So the events are exactly the engine's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/event_log.h"
#include "base/status.h"

namespace assent::bench {

// A run id in the engine's format ("run_" + 12 + 8 hex digits): 24 characters, unique per `n`.
std::string BenchRunId(uint64_t n);

// The append batches of one completed W1 run with input W1Input(index): one for a run that
// needs no approval, two for one that does (approved by "reviewer"). Throws if the run does not
// complete with the result W1 requires.
std::vector<storage::AppendBatch> W1RunBatches(int index, const std::string& run_id);

// Appends `batch` and waits until it is durable.
Status AppendAndWait(storage::EventLog& log, storage::AppendBatch batch);

// Appends every batch of `runs` W1 runs (ids BenchRunId(0..runs-1)), many in flight at once so
// the log group-commits them, and waits until all are durable. Returns the number of events.
Result<uint64_t> WriteW1Runs(storage::EventLog& log, int runs);

}  // namespace assent::bench
