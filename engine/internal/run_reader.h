// Read side: a run's durable state and history, folded from the log on the caller's thread.
#pragma once

#include <string_view>
#include <vector>

#include "engine/internal/run_state.h"
#include "engine/views.h"
#include "storage/event_log.h"

namespace assent::engine {

// kNotFound when the run has no events; kCorruption when a record fails verification.
Result<RunState> LoadRunState(storage::EventLog& log, std::string_view run_id);
Result<std::vector<EventView>> LoadEventViews(storage::EventLog& log, std::string_view run_id);

}  // namespace assent::engine
