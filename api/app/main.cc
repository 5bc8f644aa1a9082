// The `assent` binary: picks the subcommand (api/cli for the client commands, api/app for
// serve and demo-service).
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "api/app/app_commands.h"

namespace {

using assent::cli::Command;

// Lists `commands`, or those whose name starts with `group` ("users") when it is not empty.
void PrintUsage(std::ostream& out, const std::vector<Command>& commands,
                const std::string& group = "") {
  out << "usage: assent " << (group.empty() ? "<command>" : group + " <command>")
      << " [flags]   (assent <command> --help for its flags)\n\ncommands:\n";
  size_t width = 0;
  for (const auto& command : commands) width = std::max(width, command.name.size());
  for (const auto& command : commands) {
    if (!group.empty() && !command.name.starts_with(group + " ")) continue;
    out << "  " << command.name << std::string(width + 2 - command.name.size(), ' ')
        << command.summary << "\n";
  }
}

// How many words of the command line `command`'s name takes when they spell it ("users add":
// two), else 0.
size_t NameWords(const Command& command, const std::vector<std::string>& args) {
  std::string spelled;
  for (size_t i = 0; i < args.size(); ++i) {
    spelled += (i == 0 ? "" : " ") + args[i];
    if (spelled == command.name) return i + 1;
    if (!command.name.starts_with(spelled + " ")) return 0;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<assent::cli::Command> commands = assent::app::AllCommands();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintUsage(args.empty() ? std::cerr : std::cout, commands);
    return args.empty() ? 2 : 0;
  }
  for (const auto& command : commands) {
    if (size_t words = NameWords(command, args); words > 0) {
      return assent::cli::RunCommand(command, {args.begin() + words, args.end()});
    }
  }
  // "assent users" alone, or with a subcommand it does not have: list the group's commands.
  bool group = std::any_of(commands.begin(), commands.end(), [&](const Command& command) {
    return command.name.starts_with(args[0] + " ");
  });
  if (group && (args.size() == 1 || args[1] == "--help" || args[1] == "-h")) {
    PrintUsage(args.size() == 1 ? std::cerr : std::cout, commands, args[0]);
    return args.size() == 1 ? 2 : 0;
  }
  std::cerr << "assent: unknown command \"" << args[0] << (group ? " " + args[1] : "") << "\"\n";
  PrintUsage(std::cerr, commands, group ? args[0] : "");
  return 2;
}
