#include <gtest/gtest.h>

#include <chrono>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/parse.hpp>

#include "api/cli/client.h"
#include "api/cli/command.h"
#include "api/cli/flags.h"
#include "api/cli/format.h"

namespace assent::cli {
namespace {

namespace json = boost::json;

const std::vector<FlagSpec> kSpecs = {{"status", true, "a status"},
                                      {"json", false, "raw output"}};

Command StartCommand() {
  for (Command& command : ClientCommands()) {
    if (command.name == "start") return command;
  }
  ADD_FAILURE() << "no start command";
  return {};
}

TEST(FlagsTest, ParsesValuesSwitchesAndPositionals) {
  Result<ParsedArgs> parsed =
      ParseFlags({"run-1", "--status", "waiting", "--json", "extra"}, kSpecs);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->positional, (std::vector<std::string>{"run-1", "extra"}));
  EXPECT_EQ(parsed->Get("status"), "waiting");
  EXPECT_TRUE(parsed->Has("json"));
  EXPECT_FALSE(parsed->Has("help"));
}

TEST(FlagsTest, AcceptsEqualsFormAndDoubleDash) {
  Result<ParsedArgs> parsed = ParseFlags({"--status=failed", "--", "--json", "-x"}, kSpecs);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->Get("status"), "failed");
  EXPECT_EQ(parsed->positional, (std::vector<std::string>{"--json", "-x"}));
  EXPECT_FALSE(parsed->Has("json"));
}

TEST(FlagsTest, ARepeatedFlagKeepsEveryValueInOrder) {
  Result<ParsedArgs> parsed = ParseFlags({"--status", "a", "--status=b", "--json"}, kSpecs);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->GetAll("status"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(parsed->Get("status"), "b") << "Get answers the last";
  EXPECT_TRUE(parsed->GetAll("json").empty()) << "a switch has no values";
  EXPECT_TRUE(parsed->GetAll("missing").empty());
}

TEST(FlagsTest, HelpIsAlwaysKnown) {
  EXPECT_TRUE(ParseFlags({"--help"}, {})->Has("help"));
  EXPECT_TRUE(ParseFlags({"-h"}, kSpecs)->Has("help"));
}

TEST(FlagsTest, RejectsUnknownFlagsAndMissingValues) {
  EXPECT_EQ(ParseFlags({"--nope"}, kSpecs).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseFlags({"-x"}, kSpecs).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseFlags({"--status"}, kSpecs).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseFlags({"--json=yes"}, kSpecs).status().code(), StatusCode::kInvalidArgument);
}

TEST(FlagsTest, UsageErrorsExitWith2) {
  Command command{"x", "test", "ID", 1, 1, kSpecs, [](const ParsedArgs&) { return 0; }};
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(RunCommand(command, {"--bogus", "a"}), 2);
  EXPECT_EQ(RunCommand(command, {}), 2);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("unknown flag --bogus"),
            std::string::npos);
  EXPECT_EQ(RunCommand(command, {"a"}), 0);
}

TEST(ClientConfigTest, FlagsWinOverDefaults) {
  Result<ParsedArgs> args =
      ParseFlags({"--server", "http://example.test:9000/base/", "--token", "t0k"}, ClientFlags());
  ASSERT_TRUE(args.ok());
  Result<ClientConfig> config = ResolveClientConfig(*args);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->host, "example.test");
  EXPECT_EQ(config->port, "9000");
  EXPECT_EQ(config->base_path, "/base");
  EXPECT_EQ(config->token, "t0k");
  EXPECT_FALSE(ResolveClientConfig(*ParseFlags({"--server", "https://x"}, ClientFlags())).ok());
}

TEST(ClientTest, UnreachableServerIsUnavailable) {
  // Port 1 on loopback is closed on any sane test machine.
  ApiClient client({"127.0.0.1", "1", "", "t", "http://127.0.0.1:1"});
  Result<ApiResponse> response = client.Call(boost::beast::http::verb::get, "/v1/runs");
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(response.status().message().find("cannot reach"), std::string::npos);
}

TEST(ClientConfigTest, TimeoutFlag) {
  Result<ParsedArgs> args = ParseFlags({"--timeout-ms", "250"}, ClientFlags());
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(ResolveClientConfig(*args)->timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(ResolveClientConfig(*ParseFlags({}, ClientFlags()))->timeout,
            std::chrono::seconds(30));
  for (const char* bad : {"0", "-5", "soon", "12x"}) {
    EXPECT_FALSE(ResolveClientConfig(*ParseFlags({"--timeout-ms", bad}, ClientFlags())).ok())
        << bad;
  }
}

// A server that takes connections (the kernel completes them from the backlog) and never says
// a word: what a stuck or overloaded server looks like to a client.
class SilentServerTest : public ::testing::Test {
 protected:
  SilentServerTest() : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {}

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

TEST_F(SilentServerTest, RequestGivesUpAfterTheTimeout) {
  Result<ParsedArgs> args = ParseFlags({"--server", url(), "--timeout-ms", "200"}, ClientFlags());
  ASSERT_TRUE(args.ok());
  ApiClient client(*ResolveClientConfig(*args));
  Result<ApiResponse> response = client.Call(boost::beast::http::verb::get, "/v1/runs");
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(response.status().message().find("no answer from the server at " + url() +
                                             " within 200 ms"),
            std::string::npos)
      << response.status().message();
}

TEST_F(SilentServerTest, WatchGivesUpOnTheHandshakeAfterTheTimeout) {
  ::testing::internal::CaptureStderr();
  int code = RunCommand(WatchCommand(), {"--server", url(), "--token", "t", "--timeout-ms", "200"});
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("no answer from the server"), std::string::npos) << err;
}

TEST_F(SilentServerTest, StartWithWaitGivesTheServerTheWaitOnTopOfTheTimeout) {
  ::testing::internal::CaptureStderr();
  int code = RunCommand(StartCommand(), {"pay", "--server", url(), "--token", "t", "--timeout-ms",
                                         "200", "--wait", "1s"});
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("no answer from the server at " + url() + " within 1200 ms"),
            std::string::npos)
      << err;
}

TEST(StartCommandTest, BadWaitIsAUsageErrorBeforeAnyCall) {
  for (const char* wait : {"5m", "0s", "61s", "1.5s", "soon", ""}) {
    ::testing::internal::CaptureStderr();
    // Port 1 is closed: a call would fail with "cannot reach" instead.
    int code = RunCommand(StartCommand(),
                          {"pay", "--server", "http://127.0.0.1:1", "--wait", wait});
    std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(code, 2) << wait;
    EXPECT_NE(err.find("bad --wait \"" + std::string(wait) + "\": wait must be a duration like "
                       "500ms or 30s"),
              std::string::npos)
        << err;
  }
}

TEST(FormatTest, TablesAlignColumns) {
  EXPECT_EQ(FormatTable({"A", "LONG"}, {{"xyz", "1"}, {"q", "22"}}),
            "A    LONG\n"
            "xyz  1\n"
            "q    22\n");
}

TEST(FormatTest, TimelineListsEventsThenOutcome) {
  json::object run = json::parse(R"({"run_id":"r1","workflow":"pay","version":2,
      "status":"completed","output":{"paid":true},"pending_approvals":[]})").as_object();
  json::array events = json::parse(R"([
      {"seq":1,"at":"2026-11-21T10:00:00.000Z","type":"run.started"},
      {"seq":2,"at":"2026-11-21T10:00:01.000Z","type":"step.completed","step_id":"pay"}])")
                           .as_array();
  EXPECT_EQ(FormatTimeline(run, events),
            "run r1  workflow pay v2\n"
            "2026-11-21T10:00:00.000Z  #1  run.started\n"
            "2026-11-21T10:00:01.000Z  #2  step.completed  step_id=pay\n"
            "status: completed\n"
            "output: {\"paid\":true}\n");
}

TEST(FormatTest, OutcomeOfAWaitingRunNamesWhatItWaitsOn) {
  json::object run = json::parse(R"({"run_id":"r1","status":"waiting","pending_approvals":[
      {"id":"r1.4","status":"pending","run_id":"r1","step_id":"review","message":"Pay?"}]})")
                         .as_object();
  EXPECT_EQ(FormatRunOutcome(run),
            "status: waiting\n"
            "waiting on r1.4  pending  run r1 step review  Pay?\n");
}

}  // namespace
}  // namespace assent::cli
