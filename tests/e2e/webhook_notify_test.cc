// Webhook notifications through the real server: a workflow's `notify` targets (a local
// receiver on 127.0.0.1) get approval.requested, approval.decided and approval.cancelled,
// each with a stable Assent-Delivery id and an Assent-Signature the receiver verifies as the
// README says; the secret never shows in the API; and a delivery whose server is SIGKILLed
// after the commit, before the receiver answered, arrives again after the restart with the
// same delivery id; and so does a notify step's message.
#include <future>
#include <map>

#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"
#include "tests/support/webhook_signature_check.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

constexpr const char* kSecret = "whsec-e2e";
constexpr auto kWait = std::chrono::seconds(30);

// Waits (bounded) until `predicate` holds over the receiver's requests.
template <typename Predicate>
bool AwaitRequests(const HttpTarget& receiver, Predicate predicate) {
  auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate(receiver.requests())) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval, not a sync
  }
  return false;
}

// A receiver that holds its first delivery unanswered until Release(): the commit is durable,
// the delivery not acknowledged, while it waits.
class HoldingReceiver {
 public:
  HoldingReceiver()
      : released_(release_.get_future().share()),
        target_([released = released_](const ReceivedRequest&, size_t index) {
          if (index == 0) released.wait_for(kWait);
          return TargetResponse{200, "ok"};
        }) {}

  void Release() { release_.set_value(); }
  HttpTarget& target() { return target_; }

 private:
  std::promise<void> release_;
  std::shared_future<void> released_;
  HttpTarget target_;  // last: its thread waits on released_
};

class WebhookNotifyTest : public ::testing::Test {
 protected:
  void Serve() {
    client_.reset();
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "serve", "--data", data_.str(), "--listen", "127.0.0.1:0", "--admin-token", kToken,
        "--public-url", "https://assent.example/", "--notify-retry-initial", "50ms"});
    client_ = std::make_unique<ApiClient>(server_->port(), kToken);
  }

  void ApplyWorkflow(const HttpTarget& receiver) {
    json::object document{
        {"steps", json::parse(R"([{"id": "review", "type": "approval",
            "message": "Pay {{input.amount}} to {{input.vendor}}?",
            "show": {"amount": "{{input.amount}}", "vendor": "{{input.vendor}}"}},
            {"id": "done", "type": "code", "lua": "return {}"}])")},
        {"notify", json::array{json::object{{"url", receiver.url("/json")}, {"secret", kSecret}},
                               json::object{{"url", receiver.url("/slack")},
                                            {"format", "slack"},
                                            {"secret", kSecret}}}}};
    HttpReply applied = client_->Put("/v1/workflows/pay", document);
    ASSERT_EQ(applied.status, 200u) << applied.raw;
  }

  // Starts a run; the id of the approval it waits for.
  std::string StartAndAwaitApproval(int amount) {
    HttpReply started = client_->Post(
        "/v1/workflows/pay/runs", json::object{{"input", {{"amount", amount}, {"vendor", "ACME"}}}});
    EXPECT_EQ(started.status, 201u) << started.raw;
    if (started.status != 201) return "";
    HttpReply run = client_->Get("/v1/runs/" + std::string(started.body.at("run_id").as_string()));
    const json::array& pending = run.body.at("pending_approvals").as_array();
    EXPECT_EQ(pending.size(), 1u) << run.raw;
    return pending.empty() ? "" : std::string(pending[0].at("id").as_string());
  }

  // Once `receiver` holds its first delivery: SIGKILLs the server, lets the receiver answer (to
  // a dead connection) and restarts the server. What the receiver got once the delivery came
  // again (at least two requests, or a failure).
  std::vector<ReceivedRequest> KillWhileHeldAndRestart(HoldingReceiver& receiver) {
    EXPECT_TRUE(AwaitRequests(receiver.target(),
                              [](const auto& requests) { return requests.size() == 1; }))
        << server_->output();
    server_->Kill();
    receiver.Release();
    Serve();
    EXPECT_TRUE(AwaitRequests(receiver.target(),
                              [](const auto& requests) { return requests.size() >= 2; }))
        << "the delivery was not resent after the restart\n" << server_->output();
    return receiver.target().requests();
  }

  TempDir data_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<ApiClient> client_;
};

TEST_F(WebhookNotifyTest, RequestedDecidedAndCancelledArriveSigned) {
  HttpTarget receiver([](const ReceivedRequest&, size_t) { return TargetResponse{200, "ok"}; });
  Serve();
  ApplyWorkflow(receiver);
  std::string decided = StartAndAwaitApproval(7200);
  HttpReply decision = client_->Post("/v1/approvals/" + decided + "/decision",
                                     json::object{{"decision", "approve"}, {"comment", "checked"}});
  ASSERT_EQ(decision.status, 200u) << decision.raw;
  std::string cancelled = StartAndAwaitApproval(10);
  std::string run_id = cancelled.substr(0, cancelled.rfind('.'));
  HttpReply cancel = client_->Post("/v1/runs/" + run_id + "/cancel",
                                   json::object{{"reason", "duplicate"}});
  ASSERT_EQ(cancel.status, 200u) << cancel.raw;

  // 4 notifications, 2 targets each.
  ASSERT_TRUE(AwaitRequests(receiver, [](const auto& requests) { return requests.size() >= 8; }))
      << receiver.requests().size() << " deliveries\n" << server_->output();
  std::map<std::string, ReceivedRequest> by_id;
  for (const ReceivedRequest& request : receiver.requests()) {
    EXPECT_TRUE(WebhookSignatureValid(request, kSecret)) << request.body;
    EXPECT_FALSE(WebhookSignatureValid(request, "another secret"));
    by_id[request.headers.at("assent-delivery")] = request;
  }
  ASSERT_EQ(by_id.size(), 8u);
  const json::value requested = json::parse(by_id.at(decided + ".requested.1").body);
  EXPECT_EQ(requested.at("type"), "approval.requested");
  EXPECT_EQ(requested.at("workflow"), "pay");
  EXPECT_EQ(requested.at("approval").at("show").at("amount"), 7200);
  EXPECT_EQ(requested.at("approval").at("status"), "pending");
  EXPECT_EQ(requested.at("url").as_string(), "https://assent.example/approvals/" + decided);
  EXPECT_EQ(by_id.at(decided + ".requested.1").target, "/json");
  const json::value decided_body = json::parse(by_id.at(decided + ".decided.1").body);
  EXPECT_EQ(decided_body.at("approval").at("status"), "approved");
  EXPECT_EQ(decided_body.at("approval").at("decisions").at(0).at("comment"), "checked");
  EXPECT_EQ(json::parse(by_id.at(cancelled + ".cancelled.1").body).at("type"),
            "approval.cancelled");

  const ReceivedRequest& slack = by_id.at(decided + ".decided.2");
  EXPECT_EQ(slack.target, "/slack");
  const json::value slack_body = json::parse(slack.body);
  EXPECT_THAT(std::string(slack_body.at("text").as_string()), HasSubstr("Pay 7200 to ACME?"));
  EXPECT_THAT(json::serialize(slack_body.at("blocks")), HasSubstr("*Approved* by admin: checked"));
  EXPECT_THAT(json::serialize(slack_body.at("blocks")),
              HasSubstr("https://assent.example/approvals/" + decided));
}

TEST_F(WebhookNotifyTest, TheSecretNeverShowsAndBadTargetsAreRefused) {
  HttpTarget receiver([](const ReceivedRequest&, size_t) { return TargetResponse{200, "ok"}; });
  Serve();
  ApplyWorkflow(receiver);
  for (const std::string path : {"/v1/workflows/pay", "/v1/workflows"}) {
    HttpReply shown = client_->Get(path);
    EXPECT_EQ(shown.status, 200u);
    EXPECT_THAT(shown.raw, ::testing::Not(HasSubstr(kSecret))) << path;
    EXPECT_THAT(shown.raw, HasSubstr(R"("secret":"***")")) << path;
    EXPECT_THAT(shown.raw, ::testing::Not(HasSubstr("/json"))) << path << ": the URL's path";
    EXPECT_THAT(shown.raw, HasSubstr(receiver.url("/***"))) << path;
  }
  HttpReply refused = client_->Put(
      "/v1/workflows/bad", json::parse(R"({"steps": [{"id": "a", "type": "code",
          "lua": "return {}"}], "notify": [{"url": "http://169.254.169.254/hook"}]})"));
  EXPECT_EQ(refused.status, 400u);
  EXPECT_THAT(refused.raw, HasSubstr("notify target #1 (http://169.254.169.254/hook)"));
}

TEST_F(WebhookNotifyTest, ADeliveryCutOffBySigkillArrivesAfterTheRestartWithTheSameId) {
  HoldingReceiver receiver;
  Serve();
  HttpReply applied = client_->Put(
      "/v1/workflows/pay",
      json::object{{"steps", json::parse(R"([{"id": "review", "type": "approval",
                                              "message": "Pay?"}])")},
                   {"notify", json::array{json::object{{"url", receiver.target().url("/json")},
                                                       {"secret", kSecret}}}}});
  ASSERT_EQ(applied.status, 200u) << applied.raw;
  std::string approval = StartAndAwaitApproval(1);
  std::vector<ReceivedRequest> requests = KillWhileHeldAndRestart(receiver);
  ASSERT_GE(requests.size(), 2u);
  EXPECT_EQ(requests[0].headers.at("assent-delivery"), approval + ".requested.1");
  EXPECT_EQ(requests[1].headers.at("assent-delivery"), approval + ".requested.1");
  EXPECT_EQ(requests[1].body, requests[0].body);
  EXPECT_TRUE(WebhookSignatureValid(requests[1], kSecret));
}

// A notify step's message: the run completes without waiting for the receiver, which holds the
// first delivery unanswered while the server is SIGKILLed; after the restart it arrives again,
// with the same delivery id (the step's output names it) and body, signed.
TEST_F(WebhookNotifyTest, ANotifyStepsMessageCutOffBySigkillArrivesAfterTheRestart) {
  HoldingReceiver receiver;
  Serve();
  json::value steps = json::parse(R"([
      {"id": "tell", "type": "notify", "message": "Paid {{input.amount}} to {{input.vendor}}"},
      {"id": "done", "type": "code", "lua": "return {told = steps.tell.delivery_id}"}])");
  steps.as_array()[0].as_object()["target"] =
      json::object{{"url", receiver.target().url("/slack")},
                   {"format", "slack"},
                   {"secret", kSecret}};
  HttpReply applied = client_->Put("/v1/workflows/pay", json::object{{"steps", steps}});
  ASSERT_EQ(applied.status, 200u) << applied.raw;
  HttpReply shown = client_->Get("/v1/workflows/pay");
  EXPECT_THAT(shown.raw, ::testing::Not(HasSubstr(kSecret)));
  EXPECT_THAT(shown.raw, ::testing::Not(HasSubstr("/slack"))) << "the target URL's path";

  HttpReply started = client_->Post(
      "/v1/workflows/pay/runs", json::object{{"input", {{"amount", 7200}, {"vendor", "ACME"}}}});
  ASSERT_EQ(started.status, 201u) << started.raw;
  const std::string run_id(started.body.at("run_id").as_string());
  HttpReply run = client_->Get("/v1/runs/" + run_id);
  EXPECT_EQ(run.body.at("status"), "completed") << run.raw;
  const std::string delivery_id(run.body.at("steps").at("tell").at("delivery_id").as_string());
  EXPECT_EQ(run.body.at("output").at("told").as_string(), delivery_id);
  std::vector<ReceivedRequest> requests = KillWhileHeldAndRestart(receiver);
  ASSERT_GE(requests.size(), 2u);
  for (const ReceivedRequest& request : requests) {
    EXPECT_EQ(request.headers.at("assent-delivery"), delivery_id);
    EXPECT_TRUE(WebhookSignatureValid(request, kSecret));
  }
  EXPECT_EQ(requests[1].body, requests[0].body);
  const json::value body = json::parse(requests[0].body);
  EXPECT_EQ(body.at("text"), "Paid 7200 to ACME");
  EXPECT_THAT(json::serialize(body.at("blocks")), HasSubstr("step `tell`"));
  EXPECT_THAT(json::serialize(body.at("blocks")),
              HasSubstr("https://assent.example/runs/" + run_id));
}

}  // namespace
}  // namespace assent::testing
