// What an operator sees of the server itself: structured logs (JSON lines on stderr, never a
// token) and a clear refusal when another server already holds the data directory.
#include <algorithm>
#include <atomic>
#include <thread>
#include <sstream>

#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

// The JSON lines of `output`, by their "event"; other lines (the listening line) are skipped.
std::vector<json::object> LogLines(const std::string& output) {
  std::vector<json::object> lines;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.front() != '{') continue;
    boost::system::error_code ec;
    json::value parsed = json::parse(line, ec);
    EXPECT_FALSE(ec) << "a log line that is not JSON: " << line;
    if (!ec && parsed.is_object()) lines.push_back(parsed.as_object());
  }
  return lines;
}

bool HasEvent(const std::vector<json::object>& lines, std::string_view event) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const json::object& line) {
                       const json::value* name = line.if_contains("event");
                       return name != nullptr && name->is_string() && name->get_string() == event;
                     });
}

TEST(ServerLifecycleTest, ASecondServerOnTheSameDataDirSaysSo) {
  TempDir data;
  auto first = ServerProcess::Serve(data.str(), kToken);
  CommandResult second = RunAssent({"serve", "--data", data.str(), "--listen", "127.0.0.1:0",
                                    "--admin-token", kToken});
  EXPECT_EQ(second.exit_code, 1) << second.output;
  // Said first in plain words; RocksDB's own report follows, for whoever digs further.
  EXPECT_THAT(second.output, HasSubstr("cannot open " + data.str() +
                                       ": another Assent server holds this data directory"));
}

TEST(ServerLifecycleTest, LogsAreJsonLinesWithRequestsAtDebugAndNeverTheToken) {
  TempDir data;
  auto server = std::make_unique<ServerProcess>(std::vector<std::string>{
      "serve", "--data", data.str(), "--listen", "127.0.0.1:0", "--admin-token", kToken,
      "--log-level", "debug"});
  {
    ApiClient api(server->port(), kToken);
    HttpReply applied = api.Put("/v1/workflows/broken", json::parse(R"json({"steps": [
      {"id": "boom", "type": "code", "lua": "error('no such vendor')"}]})json"));
    ASSERT_EQ(applied.status, 200u) << applied.raw;
    HttpReply started = api.Post("/v1/workflows/broken/runs?wait=10s", json::object{});
    ASSERT_EQ(started.status, 201u) << started.raw;
    EXPECT_EQ(started.body.at("status"), "failed");
  }
  EXPECT_EQ(server->Terminate(), 0);
  std::string output = server->output();
  std::vector<json::object> lines = LogLines(output);
  for (const char* event : {"server started", "request", "run failed", "server stopped"}) {
    EXPECT_TRUE(HasEvent(lines, event)) << "no \"" << event << "\" line in:\n" << output;
  }
  for (const json::object& line : lines) {
    EXPECT_TRUE(line.contains("ts") && line.contains("level")) << json::serialize(line);
  }
  EXPECT_THAT(output, Not(HasSubstr(kToken)));
}

// Connections that stay open through the stop (keep-alive requests, a reviewer deciding) keep
// calling the engine while it shuts down; the server must still stop cleanly.
TEST(ServerLifecycleTest, SigtermWhileOpenConnectionsKeepCallingExitsCleanly) {
  TempDir data;
  auto server = ServerProcess::Serve(data.str(), kToken);
  std::atomic<bool> done{false};
  std::atomic<int> answered{0};
  std::thread rest([&] {
    try {
      ApiClient api(server->port(), kToken);
      while (!done) {
        api.Post("/v1/workflows/none/runs", json::object{});
        ++answered;
      }
    } catch (const std::exception&) {
      // The server closed the connection as it stopped.
    }
  });
  std::thread reviewer([&] {
    try {
      StreamClient stream(server->port(), kToken, StreamClient::Auth::kHeader);
      for (int req = 0; !done; ++req) {
        stream.Send({{"type", "decide"}, {"id", "run_none.2"}, {"decision", "approve"},
                     {"req", std::to_string(req)}});
        stream.ReadUntil([&](const json::value& message) {
          return message.at("type") == "error" || message.at("type") == "ack";
        });
        ++answered;
      }
    } catch (const std::exception&) {
    }
  });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (answered < 200 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  EXPECT_GE(answered, 200) << "the clients got no answers";
  int status = server->Terminate();
  done = true;
  rest.join();
  reviewer.join();
  EXPECT_EQ(status, 0) << server->output();
}

TEST(ServerLifecycleTest, AnUnknownLogLevelIsAUsageError) {
  TempDir data;
  CommandResult served = RunAssent({"serve", "--data", data.str(), "--log-level", "loud"});
  EXPECT_EQ(served.exit_code, 2) << served.output;
  EXPECT_THAT(served.output, HasSubstr("--log-level must be"));
}

}  // namespace
}  // namespace assent::testing
