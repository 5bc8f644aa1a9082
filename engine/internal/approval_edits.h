// A reviewer's edits to what an approval shows (a decision's `edits`): checked against the
// step's `edits` rule and applied, giving what later steps see and what changed.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "base/status.h"
#include "engine/internal/definition.h"
#include "engine/views.h"

namespace assent::engine {

// What changed when `edits` replace fields of `approval`'s show (base/json_diff.h entries;
// empty when every edit repeats the value shown). kInvalidArgument when the step takes no edits,
// names fields the step does not allow, or the approval shows no such field, or when a quorum
// decides it (each voter approved what was shown); kTooLarge when the edited show is over
// max_approval_show_bytes.
Result<boost::json::array> CheckEdits(const StepDefinition& step, const ApprovalView& approval,
                                      const boost::json::object& edits, size_t max_show_bytes);

}  // namespace assent::engine
