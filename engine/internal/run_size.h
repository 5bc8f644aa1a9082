// How much memory a run's state holds, estimated: what the run cache budgets its idle waiting
// runs by. Counts what grows with what clients and workflows send (the input, the steps'
// outputs, the approvals with their shown fields, decisions and comments, every string) as
// the bytes the containers hold, not only their text, so a run of many small values is not
// undercounted.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>

#include <boost/json/value.hpp>

#include "engine/internal/run_state.h"

namespace assent::engine {

size_t EstimateBytes(const boost::json::value& value);
size_t EstimateBytes(const RunState& state);

}  // namespace assent::engine
