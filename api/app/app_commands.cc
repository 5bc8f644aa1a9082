#include "api/app/app_commands.h"

namespace assent::app {

std::vector<cli::Command> AllCommands() {
  std::vector<cli::Command> commands = {ServeCommand()};
  for (cli::Command& command : cli::ClientCommands()) commands.push_back(std::move(command));
  for (cli::Command& command : cli::IdentityCommands()) commands.push_back(std::move(command));
  for (cli::Command& command : cli::WorkflowCommands()) commands.push_back(std::move(command));
  commands.push_back(cli::WatchCommand());
  commands.push_back(cli::AuditCommand());
  commands.push_back(VerifyCommand());
  commands.push_back(DemoServiceCommand());
  return commands;
}

}  // namespace assent::app
