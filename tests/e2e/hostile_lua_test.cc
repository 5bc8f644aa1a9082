// Issue 8 through the real server, for code steps: a catastrophic Lua pattern fails its step
// within the CPU budget while other runs' starts and decisions are answered, SIGTERM during such
// steps stops the server promptly, and results that JSON cannot hold fail their step with a
// clear error instead of being stored as something else.
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

// Hours of backtracking in the stock string.find (issue 8, defect 4).
constexpr const char* kStallWorkflow = R"j({"name": "stall", "steps": [{"id": "scan",
    "type": "code", "lua": "return string.find(string.rep('a', 100000), '.-.-.-.-.-.-b')"}]})j";

class HostileLuaTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    HttpReply applied = api().Put("/v1/workflows/stall", json::parse(kStallWorkflow));
    ASSERT_EQ(applied.status, 200u) << applied.raw;
  }

  // Starts `count` stalling runs at once, each on its own connection with ?wait, counting the
  // answers. What each got back goes to `replies` ("" when the request failed).
  std::vector<std::thread> StartStalls(int count, std::vector<HttpReply>& replies,
                                       std::atomic<int>& answered) {
    replies.resize(count);
    std::vector<std::thread> threads;
    for (int i = 0; i < count; ++i) {
      threads.emplace_back([this, i, &replies, &answered] {
        try {
          ApiClient client(server_->port(), kToken, std::chrono::seconds(30));
          replies[i] = client.Post("/v1/workflows/stall/runs?wait=30s",
                                   json::object{{"input", json::object{}}});
          ++answered;
        } catch (const std::exception& e) {
          replies[i].raw = e.what();
        }
      });
    }
    return threads;
  }
};

TEST_F(HostileLuaTest, ACatastrophicPatternFailsWithinItsBudgetWhileOtherRunsAreAnswered) {
  // More stalling runs than shards, so without a budget every shard would be held.
  std::vector<HttpReply> replies;
  std::atomic<int> answered{0};
  std::vector<std::thread> stalls = StartStalls(6, replies, answered);

  // Meanwhile a client that gives up after 20 s starts a run that waits for a decision, and
  // decides it.
  ApiClient other(server_->port(), kToken, std::chrono::seconds(20));
  HttpReply started = other.Post("/v1/workflows/invoice-payment/runs",
                                 json::object{{"input", {{"amount", 9000}, {"vendor", "ACME"}}}});
  ASSERT_EQ(started.status, 201u) << started.raw;
  const std::string run_id(started.body.at("run_id").as_string());
  json::value waiting = AwaitRunStatus(run_id, "waiting");
  ASSERT_TRUE(waiting.is_object());
  const std::string approval_id(waiting.at("pending_approvals").at(0).at("id").as_string());
  HttpReply decided = other.Post("/v1/approvals/" + approval_id + "/decision",
                                 json::object{{"decision", "approve"}, {"comment", "ok"}});
  EXPECT_EQ(decided.status, 200u) << decided.raw;
  AwaitRunStatus(run_id, "completed");

  for (std::thread& stall : stalls) stall.join();
  for (const HttpReply& reply : replies) {
    ASSERT_TRUE(reply.body.is_object()) << reply.raw;
    EXPECT_EQ(reply.body.at("status"), "failed") << reply.raw;
    EXPECT_THAT(std::string(reply.body.at("error").as_string()),
                HasSubstr("step 'scan' failed: code step exceeded its CPU budget of 100 ms"));
  }
}

TEST_F(HostileLuaTest, SigtermDuringStallingStepsStopsTheServerPromptly) {
  std::vector<HttpReply> replies;
  std::atomic<int> answered{0};
  std::vector<std::thread> stalls = StartStalls(20, replies, answered);
  // Once one has been answered the others are running or queued behind it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (answered == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_GT(answered, 0) << "no stalling run was answered within 20 s";

  ASSERT_EQ(kill(server_->pid(), SIGTERM), 0);
  std::optional<int> status;
  const auto stop_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!(status = server_->ExitStatus()) && std::chrono::steady_clock::now() < stop_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval, not a sync
  }
  for (std::thread& stall : stalls) stall.join();
  ASSERT_TRUE(status.has_value()) << "the server did not stop within 20 s of SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << server_->output();
}

TEST_F(HostileLuaTest, ResultsJsonCannotHoldFailTheStepWithAClearError) {
  const std::pair<const char*, const char*> cases[] = {
      {"local t = 'x' for i = 1, 40 do t = {t} end return {deep = t}",
       "nested deeper than 32 levels"},
      {"return {name = 'caf\\xe9'}", "cannot convert result.name to JSON: a string that is not UTF-8"},
      {"return {ratio = 1/0}", "cannot convert result.ratio to JSON: number inf has no JSON form"},
      {"return {ratio = 0/0}", "has no JSON form"},
  };
  for (const auto& [lua, why] : cases) {
    json::object definition{
        {"name", "bad"},
        {"steps", json::array{json::object{{"id", "out"}, {"type", "code"}, {"lua", lua}},
                              json::object{{"id", "review"},
                                           {"type", "approval"},
                                           {"message", "m"},
                                           {"show", {{"out", "{{steps.out}}"}}}}}}};
    ASSERT_EQ(api().Put("/v1/workflows/bad", definition).status, 200u) << lua;
    HttpReply run = api().Post("/v1/workflows/bad/runs?wait=10s",
                               json::object{{"input", json::object{}}});
    ASSERT_TRUE(run.body.is_object()) << run.raw;
    EXPECT_EQ(run.body.at("status"), "failed") << run.raw;
    EXPECT_THAT(std::string(run.body.at("error").as_string()), HasSubstr(why)) << lua;
    EXPECT_FALSE(run.body.at("steps").as_object().contains("out")) << run.raw;
    EXPECT_TRUE(run.body.at("pending_approvals").as_array().empty()) << run.raw;
  }
}

}  // namespace
}  // namespace assent::testing
