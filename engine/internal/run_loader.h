// RunLoader: a run's durable state and history, folded from the log on the caller's thread.
// Reads the run's snapshot (if any) and folds the events after it with the same Apply as the
// command side. Thread safety: as the log's; the loader itself holds no state.
#pragma once

#include <string_view>
#include <vector>

#include "base/logger.h"
#include "engine/internal/run_state.h"
#include "engine/views.h"
#include "storage/event_log.h"

namespace assent::engine {

class RunLoader {
 public:
  RunLoader(storage::EventLog& log, Logger& logger) : log_(log), logger_(logger) {}

  // kNotFound when the run has no events; kCorruption when a record fails verification.
  Result<RunState> Load(std::string_view run_id);
  Result<std::vector<EventView>> Events(std::string_view run_id);

 private:
  storage::EventLog& log_;
  Logger& logger_;
};

}  // namespace assent::engine
