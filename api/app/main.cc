// The `assent` binary: picks the subcommand (api/cli for the client commands, api/app for
// serve and demo-payee).
#include <iostream>
#include <string>
#include <vector>

#include "api/app/app_commands.h"

namespace {

void PrintUsage(std::ostream& out, const std::vector<assent::cli::Command>& commands) {
  out << "usage: assent <command> [flags]   (assent <command> --help for its flags)\n\n"
         "commands:\n";
  for (const auto& command : commands) {
    out << "  " << command.name << std::string(12 - std::min<size_t>(command.name.size(), 11), ' ')
        << command.summary << "\n";
  }
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
    if (command.name == args[0]) {
      return assent::cli::RunCommand(command, {args.begin() + 1, args.end()});
    }
  }
  std::cerr << "assent: unknown command \"" << args[0] << "\"\n";
  PrintUsage(std::cerr, commands);
  return 2;
}
