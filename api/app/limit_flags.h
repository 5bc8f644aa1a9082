// The `assent serve` flags that set the engine's limits (EngineOptions max_*): one per limit,
// named as its field (--max-input-bytes sets max_input_bytes), so an error message naming the
// field also names the flag. Used by serve.cc.
#pragma once

#include <vector>

#include "api/cli/flags.h"
#include "base/status.h"
#include "engine/engine.h"

namespace assent::app {

std::vector<cli::FlagSpec> LimitFlags();

// Sets each limit given on the command line. kInvalidArgument naming the flag for a value that
// is not a positive integer, or for a limit on what requests carry (an input, a comment) that
// is above what a request body may hold: such a limit could never be reached.
Status ApplyLimitFlags(const cli::ParsedArgs& args, engine::EngineOptions& options);

}  // namespace assent::app
