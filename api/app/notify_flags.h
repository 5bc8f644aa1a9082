// The flags of `assent serve` for webhook notifications (a workflow's `notify` targets):
// --public-url (the link in each notification) and the delivery's retry bounds. Pure;
// thread-safe.
#pragma once

#include <vector>

#include "api/cli/flags.h"
#include "base/status.h"
#include "engine/engine.h"

namespace assent::app {

std::vector<cli::FlagSpec> NotifyFlags();

// Sets the fields of `options` the flags given name; a bad value is InvalidArgument naming it.
Status ApplyNotifyFlags(const cli::ParsedArgs& args, engine::EngineOptions& options);

}  // namespace assent::app
