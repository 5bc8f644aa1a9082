// The replay-equality check. A run's live state (what the engine holds in memory after a
// durable commit) must equal, in every field of RunState, the state rebuilt from the log:
//   - as an engine reopened on the log loads it (its snapshot, if any, and the events after);
//   - by folding every event from seq 1;
//   - from a snapshot taken after each event k (encoded and decoded) plus events k+1 on, so a
//     snapshot codec that drops or mangles a field fails wherever the field is set.
// LiveStates collects live states from the engine (a RunObserver); every engine scenario test
// checks each run it touched when it ends (EngineTest::TearDown).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include <gtest/gtest.h>

#include "engine/internal/run_observer.h"
#include "engine/internal/run_state.h"
#include "storage/event_log.h"

namespace assent::engine {

::testing::AssertionResult MatchesReplay(const RunState& live, storage::EventLog& log);

// The latest durable live state of every run an engine committed. Thread-safe.
class LiveStates final : public RunObserver {
 public:
  void OnDurable(const RunState& state) override;
  std::map<std::string, RunState> Take();

 private:
  std::mutex mutex_;
  std::map<std::string, RunState> states_;  // guarded by mutex_
};

}  // namespace assent::engine
