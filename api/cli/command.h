// Command: one `assent` subcommand (its name, usage, flags and entry point) and the shared
// plumbing every subcommand runs through: flag parsing, --help, argument counts, and the
// flags common to the commands that talk to a server. Used by main.cc.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/cli/flags.h"

namespace assent::cli {

struct Command {
  std::string name;
  std::string summary;    // one line for `assent --help`
  std::string arguments;  // positional part of the usage line, e.g. "RUN"
  size_t min_positional = 0;
  size_t max_positional = 0;
  std::vector<FlagSpec> flags;
  int (*run)(const ParsedArgs& args) = nullptr;  // returns the exit code
};

// Parses `args` for `command`, answers --help, checks the argument count, then runs it.
// Usage errors print to stderr and return 2.
int RunCommand(const Command& command, const std::vector<std::string>& args);

// --server, --token, --json: the flags of every command that calls a server.
std::vector<FlagSpec> ClientFlags(std::vector<FlagSpec> extra = {});

// `assent <name> <arguments> [flags]` with the flag list.
std::string CommandUsage(const Command& command);

// The commands that call a server, by file: client_commands.cc, identity_commands.cc,
// workflow_commands.cc, watch.cc, audit.cc. A command's name may be two words ("users add"): it takes the first two of the
// command line.
std::vector<Command> ClientCommands();
std::vector<Command> IdentityCommands();
std::vector<Command> WorkflowCommands();
Command WatchCommand();
Command AuditCommand();

}  // namespace assent::cli
