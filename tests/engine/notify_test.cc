// Webhook notifications through the engine: each approval event records its deliveries in the
// same commit (the notify outbox), the dispatcher sends them signed, with a stable delivery id,
// retries until a 2xx, gives up at its bound (moved there with an injected clock), and resumes
// whatever the outbox holds when the engine opens again. Targets are real HTTP servers on
// 127.0.0.1 (tests/support/http_target.h).
#include <atomic>
#include <future>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/internal/notify_outbox.h"
#include "engine/internal/webhook_signature.h"
#include "tests/engine/engine_fixture.h"
#include "tests/support/http_target.h"

namespace assent::engine {
namespace {

namespace json = boost::json;
using engine_testing::Await;
using engine_testing::EngineTest;
using engine_testing::Eventually;
using ::testing::HasSubstr;

constexpr const char* kSecret = "whsec-test";

class NotifyTest : public EngineTest {
 protected:
  // Fails the first `failures` requests with 500, then answers 200.
  void FailFirst(size_t failures) { failures_ = failures; }

  // A one-approval workflow notifying the target (json, at `path`) and, when `slack`, the
  // target again.
  void ApplyNotified(bool slack = false, const std::string& path = "/hook") {
    json::array notify{json::object{{"url", target_.url(path)}, {"secret", kSecret}}};
    if (slack) notify.push_back(json::object{{"url", target_.url("/slack")}, {"format", "slack"}});
    json::object document{
        {"steps", json::parse(R"([{"id": "review", "type": "approval", "message": "Pay?",
                                  "show": {"amount": "{{input.amount}}"}},
                                 {"id": "done", "type": "code", "lua": "return {}"}])")},
        {"notify", std::move(notify)}};
    auto applied = engine_->ApplyWorkflow(engine_testing::kAdmin, "pay", document);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  }

  EngineOptions Options(std::chrono::milliseconds retry_initial = std::chrono::milliseconds(1)) {
    EngineOptions options{.http_retry_backoff_ms = 1};
    options.notify_retry_initial = retry_initial;
    options.public_url = "https://assent.example";
    return options;
  }

  std::string PendingApproval(const std::string& run_id) {
    RunView run = Run(run_id);
    return run.pending_approvals.empty() ? "" : run.pending_approvals[0].id;
  }

  // The requests to `path` the target received.
  std::vector<testing::ReceivedRequest> Received(const std::string& path = "/hook") {
    std::vector<testing::ReceivedRequest> matching;
    for (auto& request : target_.requests()) {
      if (request.target == path) matching.push_back(std::move(request));
    }
    return matching;
  }

  std::atomic<size_t> failures_{0};
  testing::HttpTarget target_{[this](const testing::ReceivedRequest&, size_t index) {
    return testing::TargetResponse{index < failures_ ? 500u : 200u, "{}"};
  }};
};

// What a receiver does (README): recompute the HMAC over "<t>.<body>" with its secret.
void ExpectValidSignature(const testing::ReceivedRequest& request) {
  ASSERT_TRUE(request.headers.contains("assent-signature"));
  const std::string& header = request.headers.at("assent-signature");
  size_t comma = header.find(",v1=");
  ASSERT_EQ(header.rfind("t=", 0), 0u) << header;
  ASSERT_NE(comma, std::string::npos) << header;
  int64_t t = std::stoll(header.substr(2, comma - 2));
  EXPECT_EQ(header.substr(comma + 4), WebhookHmac(kSecret, t, request.body));
}

TEST_F(NotifyTest, RequestedDecidedAndCancelledReachTheTargetSigned) {
  Reopen(Options());
  ApplyNotified();
  std::string first = Start("pay", R"({"amount": 7200})");
  std::string approval = PendingApproval(first);
  ASSERT_FALSE(approval.empty());
  ASSERT_TRUE(DecideOn(approval, Decision::kReject, "not ours").ok());
  std::string second = Start("pay", R"({"amount": 10})");
  std::string withdrawn = PendingApproval(second);
  auto cancelled = Await<RunView>([&](auto done) {
    engine_->Cancel(CancelCommand{second, engine_testing::ActorNamed("bob"), "duplicate"}, done);
  });
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().ToString();

  ASSERT_TRUE(Eventually([&] { return Received().size() == 4 && OutboxIds().empty(); }))
      << Received().size() << " deliveries, " << OutboxIds().size() << " still in the outbox";
  std::map<std::string, json::value> by_id;
  for (const auto& request : Received()) {
    ExpectValidSignature(request);
    json::value body = json::parse(request.body);
    EXPECT_EQ(body.at("delivery_id").as_string(), request.headers.at("assent-delivery"));
    EXPECT_EQ(request.headers.at("content-type"), "application/json");
    by_id[request.headers.at("assent-delivery")] = body;
  }
  ASSERT_TRUE(by_id.contains(approval + ".requested.1"));
  ASSERT_TRUE(by_id.contains(approval + ".decided.1"));
  ASSERT_TRUE(by_id.contains(withdrawn + ".requested.1"));
  ASSERT_TRUE(by_id.contains(withdrawn + ".cancelled.1"));
  const json::value& requested = by_id[approval + ".requested.1"];
  EXPECT_EQ(requested.at("type"), "approval.requested");
  EXPECT_EQ(requested.at("workflow"), "pay");
  EXPECT_EQ(requested.at("run_id").as_string(), first);
  EXPECT_EQ(requested.at("approval_id").as_string(), approval);
  EXPECT_EQ(requested.at("url").as_string(), "https://assent.example/approvals/" + approval);
  EXPECT_EQ(by_id[approval + ".decided.1"].at("type"), "approval.decided");
  EXPECT_EQ(by_id[withdrawn + ".cancelled.1"].at("type"), "approval.cancelled");
}

TEST_F(NotifyTest, ARunNotifiesTheTargetsOfTheLatestVersion) {
  Reopen(Options());
  ApplyNotified();
  std::string approval = PendingApproval(Start("pay", R"({"amount": 1})"));
  ApplyNotified(false, "/moved");  // version 2: the receiver moved
  ASSERT_TRUE(DecideOn(approval, Decision::kApprove).ok());
  ASSERT_TRUE(Eventually([&] { return Received("/moved").size() == 1 && OutboxIds().empty(); }));
  EXPECT_EQ(Received("/moved")[0].headers.at("assent-delivery"), approval + ".decided.1");
  ExpectValidSignature(Received("/moved")[0]);
  EXPECT_EQ(Received("/hook").size(), 1u) << "only the request, sent before the move";
}

TEST_F(NotifyTest, TheDeliveryIsInTheCommitOfItsEvent) {
  // Retries an hour apart: the entry stays in the outbox after the first refusal.
  Reopen(Options(std::chrono::hours(1)));
  FailFirst(1000);
  ApplyNotified(/*slack=*/true);
  std::string run_id = Start("pay", R"({"amount": 1})");
  // Start answers once RunStarted and ApprovalRequested are durable: so are the deliveries.
  std::string approval = PendingApproval(run_id);
  EXPECT_THAT(OutboxIds(), ::testing::UnorderedElementsAre(approval + ".requested.1",
                                                           approval + ".requested.2"));
  std::string value;
  ASSERT_TRUE(log_.GetIndex(storage::Index::kNotifyOutbox, approval + ".requested.2", &value).ok());
  Result<OutboxDelivery> delivery = DecodeDelivery(value);
  ASSERT_TRUE(delivery.ok());
  EXPECT_EQ(delivery->url, target_.url("/slack"));
  EXPECT_EQ(delivery->format, WebhookFormat::kSlack);
  EXPECT_EQ(delivery->workflow, "pay");
  EXPECT_EQ(delivery->target, 1u);
  EXPECT_EQ(value.find(kSecret), std::string::npos) << "the secret is not copied into the outbox";
}

TEST_F(NotifyTest, RetriesWithTheSameDeliveryIdUntilA2xx) {
  Reopen(Options());
  FailFirst(3);
  ApplyNotified();
  std::string approval = PendingApproval(Start("pay", R"({"amount": 1})"));
  ASSERT_TRUE(Eventually([&] { return Received().size() == 4 && OutboxIds().empty(); }))
      << Received().size() << " attempts";
  for (const auto& attempt : Received()) {
    EXPECT_EQ(attempt.headers.at("assent-delivery"), approval + ".requested.1");
    ExpectValidSignature(attempt);
  }
}

TEST_F(NotifyTest, GivesUpOnceTheBoundHasPassed) {
  std::atomic<int64_t> offset_ms{0};
  EngineHooks hooks;
  hooks.notify_clock = [&offset_ms] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count() +
           offset_ms.load();
  };
  EngineOptions options = Options(std::chrono::milliseconds(50));
  options.notify_retry_max = std::chrono::milliseconds(50);
  Reopen(options, hooks);
  FailFirst(1'000'000);
  ApplyNotified();
  Start("pay", R"({"amount": 1})");
  ASSERT_TRUE(Eventually([&] { return Received().size() >= 2; }));
  EXPECT_EQ(OutboxIds().size(), 1u) << "still retried within the bound";
  offset_ms = 25 * 3'600'000;  // a day and an hour later
  ASSERT_TRUE(Eventually([&] { return OutboxIds().empty(); })) << "never given up";
}

TEST_F(NotifyTest, OpeningTheEngineSendsWhatTheOutboxHolds) {
  Reopen(Options(std::chrono::hours(1)));
  FailFirst(1);
  ApplyNotified();
  std::string approval = PendingApproval(Start("pay", R"({"amount": 1})"));
  ASSERT_TRUE(Eventually([&] { return Received().size() == 1; }));
  ASSERT_EQ(OutboxIds().size(), 1u);

  Reopen(Options(std::chrono::hours(1)));  // what a restart does; the retry was an hour away
  ASSERT_TRUE(Eventually([&] { return Received().size() == 2 && OutboxIds().empty(); }));
  EXPECT_EQ(Received()[1].headers.at("assent-delivery"), approval + ".requested.1");
  EXPECT_EQ(Received()[1].body, Received()[0].body);
}

TEST_F(NotifyTest, AFullOutboxDropsNewDeliveriesButNotTheEvent) {
  EngineOptions options = Options(std::chrono::hours(1));
  options.notify_max_pending = 1;
  Reopen(options);
  FailFirst(1000);
  ApplyNotified();
  std::string first = PendingApproval(Start("pay", R"({"amount": 1})"));
  std::string second = PendingApproval(Start("pay", R"({"amount": 2})"));
  EXPECT_FALSE(second.empty()) << "the run still waits for its approval";
  EXPECT_THAT(OutboxIds(), ::testing::ElementsAre(first + ".requested.1"));
}

TEST_F(NotifyTest, VerifyLogNamesAnUnreadableOutboxEntry) {
  Reopen(Options(std::chrono::hours(1)));
  FailFirst(1000);
  ApplyNotified();
  std::string approval = PendingApproval(Start("pay", R"({"amount": 1})"));
  Result<VerifyReport> sound = VerifyLog(log_);
  ASSERT_TRUE(sound.ok());
  EXPECT_TRUE(sound->problems.empty());
  engine_.reset();  // nothing sends while the entry is damaged
  storage::AppendBatch damage;
  damage.index_ops.push_back({storage::Index::kNotifyOutbox, approval + ".requested.1", "junk"});
  std::promise<Status> written;
  log_.Append(std::move(damage), [&written](Status status, uint64_t) { written.set_value(status); });
  ASSERT_TRUE(written.get_future().get().ok());
  Result<VerifyReport> damaged = VerifyLog(log_);
  ASSERT_TRUE(damaged.ok());
  ASSERT_EQ(damaged->problems.size(), 1u);
  EXPECT_THAT(damaged->problems[0], HasSubstr("webhook delivery " + approval + ".requested.1"));
}

TEST_F(NotifyTest, ViewsOfTheDefinitionHideTheSecret) {
  Reopen(Options());
  ApplyNotified();
  auto workflow = engine_->GetWorkflow(engine_testing::kAdmin, "pay");
  ASSERT_TRUE(workflow.ok());
  EXPECT_EQ(workflow->definition.at("notify").at(0).at("secret"), "***");
  auto listed = engine_->ListWorkflows(engine_testing::kAdmin);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(json::serialize(listed->at(0).definition).find(kSecret), std::string::npos);
}

}  // namespace
}  // namespace assent::engine
