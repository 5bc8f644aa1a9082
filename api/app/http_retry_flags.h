// The flags of `assent serve` for http steps' retries: the defaults under every step's `retry`
// (engine/engine.h EngineOptions http_*). Pure; thread-safe.
#pragma once

#include <vector>

#include "api/cli/flags.h"
#include "base/status.h"
#include "engine/engine.h"

namespace assent::app {

std::vector<cli::FlagSpec> HttpRetryFlags();

// Sets the fields of `options` the flags given name; a bad value is InvalidArgument naming it.
Status ApplyHttpRetryFlags(const cli::ParsedArgs& args, engine::EngineOptions& options);

}  // namespace assent::app
