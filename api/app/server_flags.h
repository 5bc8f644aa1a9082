// The flags of `assent serve` that shape the server's defences: connection limit, deadlines
// and the failed-authentication throttle (the rest, --data, --listen, --threads, --log-level,
// the token flags, stay in serve.cc). Pure; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "api/cli/flags.h"
#include "api/server.h"
#include "base/status.h"

namespace assent::app {

std::vector<cli::FlagSpec> ServerFlags();

// Sets the fields of `options` the flags given name; a bad value is InvalidArgument naming it.
Status ApplyServerFlags(const cli::ParsedArgs& args, api::ServerOptions& options);

// A duration flag's value: "250ms" or "30s", above zero and at most a day.
std::optional<std::chrono::milliseconds> ParseDurationFlag(std::string_view text);

}  // namespace assent::app
