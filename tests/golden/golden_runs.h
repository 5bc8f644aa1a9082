// The golden runs: three short runs that between them use every event type, built with today's
// RunTxn (events encoded and applied exactly as the engine does) at fixed times and ids, so the
// same bytes come out on every machine. golden_test compares the files in tests/golden/v1,
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

GoldenRuns BuildGoldenRuns();

}  // namespace assent::golden
