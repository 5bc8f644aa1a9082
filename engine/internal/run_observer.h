// RunObserver: sees each run's live state whenever a commit of it has become durable. It is how
// the replay-equality check of the tests (tests/engine/replay_check.h) gets the state the
// engine holds in memory, to compare it field by field with the state rebuilt from the log.
// The server runs without one.
//
// Called on shard strands, concurrently for runs of different shards; must not call back into
// the engine.
#pragma once

#include "engine/internal/run_state.h"

namespace assent::engine {

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void OnDurable(const RunState& state) = 0;
};

}  // namespace assent::engine
