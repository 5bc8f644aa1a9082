// http retries through the real server: a retry waiting on its durable timer survives a SIGKILL
// and its call is made once after the restart; POST /v1/runs/{id}/retry (200, 409, 403, 404)
// and `assent retry` take a failed payment on from where it stopped, and the audit and the
// timeline say who did it.
#include <atomic>

#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

// Workflow "payout" pays a payee that answers 503 while `down_`, then 200 {"paid": true}.
class HttpRetryE2eTest : public E2eTest {
 protected:
  void ApplyPayout(const std::string& retry) {
    HttpReply applied = api().Put("/v1/workflows/payout", json::parse(R"({"name": "payout",
      "editors": ["group:finance"], "viewers": ["group:audit"], "steps": [
      {"id": "pay", "type": "http", "url": ")" + flaky_.url("/pay") + R"(", "body": {"n": 1},
       "retry": )" + retry + R"(},
      {"id": "done", "type": "code", "lua": "return {paid = steps.pay.paid}"}]})"));
    ASSERT_EQ(applied.status, 200u) << applied.raw;
  }

  std::string StartPayout() {
    HttpReply started = api().Post("/v1/workflows/payout/runs", json::object{});
    EXPECT_EQ(started.status, 201u) << started.raw;
    return started.body.is_object() ? std::string(started.body.at("run_id").as_string()) : "";
  }

  std::vector<std::string> Types(const std::string& run_id) {
    HttpReply events = api().Get("/v1/runs/" + run_id + "/events");
    EXPECT_EQ(events.status, 200u) << events.raw;
    std::vector<std::string> types;
    for (const json::value& event : events.body.at("events").as_array()) {
      types.emplace_back(event.at("type").as_string());
    }
    return types;
  }

  std::atomic<bool> down_{true};
  HttpTarget flaky_{[this](const ReceivedRequest&, size_t) {
    if (down_) return TargetResponse{503, R"({"error": "down for maintenance"})"};
    return TargetResponse{200, R"({"paid": true})"};
  }};
};

TEST_F(HttpRetryE2eTest, ARetryWaitingThroughASigkillCallsOnceAfterTheRestart) {
  ApplyPayout(R"({"backoff": "5s", "jitter": false})");
  std::string run_id = StartPayout();
  // The first attempt failed and its retry waits 5 s on a durable timer: kill now.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (Types(run_id).back() != "step.failed" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval, not a sync
  }
  ASSERT_EQ(Types(run_id).back(), "step.failed") << "the first attempt never failed";
  server_->Kill();
  ASSERT_EQ(flaky_.requests().size(), 1u) << "killed while the retry waited";
  down_ = false;
  StartServer();
  json::value run = AwaitRunStatus(run_id, "completed");
  EXPECT_EQ(run.at("output").at("paid"), true);
  std::vector<ReceivedRequest> requests = flaky_.requests();
  ASSERT_EQ(requests.size(), 2u) << "one failed call, then its retry once";
  EXPECT_EQ(requests[0].headers.at("idempotency-key"), requests[1].headers.at("idempotency-key"));
  EXPECT_EQ(Types(run_id), (std::vector<std::string>{"run.started", "step.started", "step.failed",
                                                     "step.started", "step.completed",
                                                     "step.completed", "run.completed"}));
  HttpReply events = api().Get("/v1/runs/" + run_id + "/events");
  const json::value& failed = events.body.at("events").at(2);
  EXPECT_EQ(failed.at("will_retry"), true);
  EXPECT_TRUE(failed.as_object().contains("retry_at")) << json::serialize(failed);
  server_->Terminate();
  CommandResult verified = RunAssent({"verify", "--data", data_.str()});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
}

TEST_F(HttpRetryE2eTest, AFailedPaymentIsRetriedOverRestAndTheCli) {
  ApplyPayout(R"({"max_attempts": 1})");
  std::string alice = AddUser({{"id", "alice"}, {"groups", {"finance"}}});
  std::string carol = AddUser({{"id", "carol"}, {"groups", {"audit"}}});
  std::string first = StartPayout();
  json::value failed = AwaitRunStatus(first, "failed");
  EXPECT_THAT(std::string(failed.at("error").as_string()), HasSubstr("HTTP 503"));
  EXPECT_EQ(failed.at("can_retry"), true) << "the admin may retry it";

  ApiClient as_carol(server_->port(), carol);
  EXPECT_FALSE(as_carol.Get("/v1/runs/" + first).body.as_object().contains("can_retry"));
  HttpReply refused = as_carol.Post("/v1/runs/" + first + "/retry", json::object{});
  EXPECT_EQ(refused.status, 403u) << refused.raw;
  EXPECT_EQ(refused.body.at("error").at("code"), "forbidden");
  HttpReply unknown = api().Post("/v1/runs/run_000000000000nothere/retry", json::object{});
  EXPECT_EQ(unknown.status, 404u) << unknown.raw;
  EXPECT_EQ(unknown.body.at("error").at("code"), "not_found");

  down_ = false;
  ApiClient as_alice(server_->port(), alice);
  HttpReply retried = as_alice.Post("/v1/runs/" + first + "/retry", json::object{});
  ASSERT_EQ(retried.status, 200u) << retried.raw;
  EXPECT_EQ(retried.body.at("run_id"), first.c_str());
  AwaitRunStatus(first, "completed");
  HttpReply again = as_alice.Post("/v1/runs/" + first + "/retry", json::object{});
  EXPECT_EQ(again.status, 409u) << again.raw;
  EXPECT_EQ(again.body.at("error").at("code"), "conflict");
  EXPECT_THAT(std::string(again.body.at("error").at("message").as_string()),
              HasSubstr("only a failed run can be retried"));
  HttpReply audit = api().Get("/v1/audit?run=" + first);
  ASSERT_EQ(audit.status, 200u) << audit.raw;
  EXPECT_EQ(audit.body.at("entries").at(0).at("action"), "run.retried");
  EXPECT_EQ(audit.body.at("entries").at(0).at("actor"), "alice");
  EXPECT_EQ(audit.body.at("entries").at(0).at("channel"), "rest");

  down_ = true;
  std::string second = StartPayout();
  AwaitRunStatus(second, "failed");
  down_ = false;
  CommandResult cli = RunAssent({"retry", second}, CliEnv());
  EXPECT_EQ(cli.exit_code, 0) << cli.output;
  EXPECT_THAT(cli.output, HasSubstr("retried run " + second));
  AwaitRunStatus(second, "completed");
  CommandResult conflict = RunAssent({"retry", second}, CliEnv());
  EXPECT_NE(conflict.exit_code, 0) << conflict.output;
  EXPECT_THAT(conflict.output, HasSubstr("only a failed run can be retried"));
  CommandResult shown = RunAssent({"show", second}, CliEnv());
  EXPECT_THAT(shown.output, HasSubstr("run.retried"));
}

}  // namespace
}  // namespace assent::testing
