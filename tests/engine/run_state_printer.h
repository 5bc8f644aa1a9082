// PrintTo for RunState, so a failed EXPECT_EQ between two states shows both, field by field.
// (The comparison itself is RunState's defaulted ==, which covers every field.)
#pragma once

#include <ostream>
#include <string>

#include <boost/json/object.hpp>

#include "engine/internal/run_state.h"

namespace assent::engine {

// Every field as one JSON object, approvals with their decisions and comments.
std::string Describe(const RunState& state);
boost::json::object Describe(const ApprovalView& approval);
void PrintTo(const RunState& state, std::ostream* out);

}  // namespace assent::engine
