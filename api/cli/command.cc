#include "api/cli/command.h"

#include <iostream>

namespace assent::cli {

std::string CommandUsage(const Command& command) {
  std::string usage = "usage: assent " + command.name;
  if (!command.arguments.empty()) usage += " " + command.arguments;
  usage += " [flags]\n" + command.summary + "\n\nflags:\n" + FlagUsage(command.flags);
  return usage + "  --help" + "\n";
}

int RunCommand(const Command& command, const std::vector<std::string>& args) {
  Result<ParsedArgs> parsed = ParseFlags(args, command.flags);
  if (!parsed.ok()) {
    std::cerr << "assent " << command.name << ": " << parsed.status().message()
              << "\n(see assent " << command.name << " --help)\n";
    return 2;
  }
  if (parsed->Has("help")) {
    std::cout << CommandUsage(command);
    return 0;
  }
  size_t count = parsed->positional.size();
  if (count < command.min_positional || count > command.max_positional) {
    std::cerr << "assent " << command.name << ": wrong number of arguments\n"
              << CommandUsage(command);
    return 2;
  }
  return command.run(*parsed);
}

std::vector<FlagSpec> ClientFlags(std::vector<FlagSpec> extra) {
  extra.push_back({"server", true,
                   "server URL (default $ASSENT_URL, else http://127.0.0.1:8080)", "URL"});
  extra.push_back({"token", true,
                   "bearer token (default $ASSENT_TOKEN, $ASSENT_ADMIN_TOKEN, "
                   "./assent-data/admin-token)",
                   "TOKEN"});
  extra.push_back({"json", false, "print the server's raw JSON"});
  extra.push_back({"timeout-ms", true,
                   "give up when the server has not answered within this (default 30000)", "MS"});
  return extra;
}

}  // namespace assent::cli
