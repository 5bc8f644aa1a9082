// The `assent` binary's own subcommands, beside the client commands of api/cli: the server
// (serve.cc, the composition root that wires storage, engine and api together), the data
// directory's check (verify.cc) and the examples' demo service (demo_service.cc). AllCommands
// lists everything main.cc dispatches to.
#pragma once

#include <vector>

#include "api/cli/command.h"

namespace assent::app {

cli::Command ServeCommand();
cli::Command VerifyCommand();  // verify.cc
cli::Command DemoServiceCommand();

// Every subcommand, in the order `assent --help` lists them.
std::vector<cli::Command> AllCommands();

}  // namespace assent::app
