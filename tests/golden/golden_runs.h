// The golden runs: short runs that between them use every event type, built with today's
// RunTxn (events encoded and applied exactly as the engine does) at fixed times and ids, so the
// same bytes come out on every machine. golden_test compares the files in tests/golden/v<N>,
// written by this code when they were made, with what this code builds now.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/internal/run_state.h"
#include "storage/event_log.h"

namespace assent::golden {

struct GoldenRuns {
  std::vector<storage::AppendBatch> commits;              // in commit order
  std::vector<engine::RunState> states_after_commits;     // the run of each commit, after it
  std::map<std::string, engine::RunState> final_states;  // by run id
};

// The newest format version of the golden files (tests/golden/v<N>).
inline constexpr int kNewestGoldenFormat = 5;

// The runs of format `format_version`: runs a, b and c from v1 on; from v5, runs d, e and f
// with the approval language's events (timers, quorums, edits, escalations, gates, retries).
GoldenRuns BuildGoldenRuns(int format_version);

}  // namespace assent::golden
