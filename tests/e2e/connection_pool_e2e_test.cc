// Outbound connections through the real server: many runs whose http step calls one target
// at once all complete, over no more connections than the server's bound
// (--http-max-connections-per-host) or the step's own `max_connections`, reused rather than
// opened per call; a bad `max_connections` is refused naming the step and the field.
#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

class ConnectionPoolE2eTest : public E2eTest {
 protected:
  void SetUp() override {
    server_ = ServerProcess::Serve(data_.str(), kToken, {"--http-max-connections-per-host", "3"});
  }

  HttpReply PutPay(const std::string& name, json::object extra = {}) {
    json::object step{{"id", "pay"}, {"type", "http"}, {"url", payee_.url("/payments")},
                      {"body", {{"n", "{{input.n}}"}}}};
    for (const auto& [key, value] : extra) step[key] = value;
    return api().Put("/v1/workflows/" + name, json::object{{"steps", json::array{step}}});
  }

  // Starts `runs` runs of `workflow` without waiting for them, then waits for each to end;
  // how many completed.
  int RunAll(const std::string& workflow, int runs) {
    std::vector<std::string> ids;
    for (int i = 0; i < runs; ++i) {
      HttpReply reply = api().Post("/v1/workflows/" + workflow + "/runs",
                                   json::object{{"input", {{"n", i}}}});
      EXPECT_EQ(reply.status, 201u) << reply.raw;
      if (reply.status == 201) ids.emplace_back(reply.body.at("run_id").as_string());
    }
    int completed = 0;
    for (const std::string& id : ids) {
      json::value run = AwaitRunStatus(id, "completed");
      if (run.is_object()) ++completed;
    }
    return completed;
  }
};

TEST_F(ConnectionPoolE2eTest, ManyRunsCallingOneTargetAllCompleteWithinTheServersBound) {
  ASSERT_EQ(PutPay("pay").status, 200u);
  EXPECT_EQ(RunAll("pay", 300), 300);
  EXPECT_EQ(payee_.requests().size(), 300u) << "each run's step called once";
  HttpTarget::Connections seen = payee_.connections();
  EXPECT_LE(seen.most_open, 3u);
  EXPECT_LE(seen.accepted, 3u) << "connections were opened per call instead of reused";
  HttpReply failed = api().Get("/v1/runs?workflow=pay&status=failed");
  ASSERT_EQ(failed.status, 200u) << failed.raw;
  EXPECT_TRUE(failed.body.at("runs").as_array().empty()) << failed.raw;
}

TEST_F(ConnectionPoolE2eTest, AStepsOwnBoundOverridesTheServers) {
  ASSERT_EQ(PutPay("one-at-a-time", {{"max_connections", 1}}).status, 200u);
  EXPECT_EQ(RunAll("one-at-a-time", 100), 100);
  EXPECT_EQ(payee_.connections().most_open, 1u);
}

TEST_F(ConnectionPoolE2eTest, ABadBoundIsRefusedNamingTheStepAndTheField) {
  for (json::value bad : {json::value(0), json::value(1001), json::value("4")}) {
    HttpReply reply = PutPay("bad", {{"max_connections", bad}});
    EXPECT_EQ(reply.status, 400u) << reply.raw;
    EXPECT_THAT(reply.raw,
                HasSubstr("step 'pay': 'max_connections' must be an integer from 1 to 1000"));
  }
}

}  // namespace
}  // namespace assent::testing
