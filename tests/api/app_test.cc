#include <set>
#include <string>

#include <gtest/gtest.h>

#include "api/app/app_commands.h"
#include "api/app/listen.h"

namespace assent::app {
namespace {

using cli::Command;

TEST(AppCommandsTest, EveryCommandHasUniqueNameAndHelp) {
  std::set<std::string> names;
  for (const Command& command : AllCommands()) {
    EXPECT_TRUE(names.insert(command.name).second) << command.name;
    EXPECT_FALSE(command.summary.empty()) << command.name;
    EXPECT_NE(command.run, nullptr) << command.name;
    EXPECT_NE(cli::CommandUsage(command).find("--help"), std::string::npos) << command.name;
  }
  for (const char* name : {"serve", "apply", "start", "runs", "show", "approvals", "approve",
                           "reject", "watch", "demo-payee"}) {
    EXPECT_TRUE(names.count(name)) << name;
  }
}

TEST(ListenTest, ParsesHostAndPort) {
  Result<ListenAddress> address = ParseListenAddress("127.0.0.1:0");
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->host, "127.0.0.1");
  EXPECT_EQ(address->port, 0);
  EXPECT_EQ(ParseListenAddress("[::1]:8080")->host, "::1");
  EXPECT_FALSE(ParseListenAddress("localhost").ok());
  EXPECT_FALSE(ParseListenAddress("localhost:http").ok());
  EXPECT_FALSE(ParseListenAddress("localhost:70000").ok());
}

}  // namespace
}  // namespace assent::app
