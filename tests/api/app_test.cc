#include <chrono>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "api/app/app_commands.h"
#include "api/app/demo_records.h"
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
                           "reject", "watch", "demo-service"}) {
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

// The data-deletion example keeps the records older than 90 days: the same ones every day.
TEST(DemoRecordsTest, DatesCountBackFromToday) {
  using namespace std::chrono;
  boost::json::object answer = DemoRecords(sys_days(year(2026) / November / 30));
  EXPECT_EQ(answer.at("as_of"), "2026-11-30");
  const boost::json::array& records = answer.at("records").as_array();
  ASSERT_EQ(records.size(), static_cast<size_t>(kDemoRecordCount));
  EXPECT_EQ(records[0].at("id"), "cus_001");
  EXPECT_EQ(records[0].at("name"), "Ada Lindqvist");
  EXPECT_EQ(records[0].at("email"), "ada.lindqvist@example.com");
  EXPECT_EQ(records[0].at("created"), "2026-11-27T08:00:00Z");   // 3 days before, at 08:00
  EXPECT_EQ(records[39].at("created"), "2026-02-27T08:03:00Z");  // 276 days before
  EXPECT_EQ(records[39].at("name"), "Hiro Alvarez");
}

}  // namespace
}  // namespace assent::app
