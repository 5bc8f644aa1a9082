// The timers-index entries (index_keys.h TimerKey) a run's state calls for: a wait step's
// wake-up while it sleeps, an http step's next attempt while its retry waits, and each pending
// approval's timeout and reminder. RunTxn::Finish
// writes the ones a commit adds and deletes the ones it ends, in the same batch; `assent verify`
// checks the index holds exactly these for every run.
#pragma once

#include <string>
#include <vector>

#include "engine/internal/run_state.h"

namespace assent::engine {

std::vector<std::string> TimerKeysOf(const RunState& state);

}  // namespace assent::engine
