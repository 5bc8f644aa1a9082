// notify steps through the engine: the step renders its message, completes at once with the
// delivery id in its output, and records the delivery in the same commit as its StepCompleted
// (the notify outbox); the dispatcher posts it to the step's target, signed with the step's
// secret, retries it with the same delivery id, and sends it again after a reopen. Definitions
// are validated naming the step and the field, and views hide the step target's secret.
// Every run is checked for replay equality when the test ends (EngineTest::TearDown).
#include <algorithm>
#include <atomic>
#include <set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/internal/definition.h"
#include "engine/internal/notify_outbox.h"
#include "engine/internal/webhook_signature.h"
#include "tests/engine/engine_fixture.h"
#include "tests/support/http_target.h"

namespace assent::engine {
namespace {

namespace json = boost::json;
using engine_testing::EngineTest;
using engine_testing::Eventually;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kSecret = "whsec-step";

class NotifyStepTest : public EngineTest {
 protected:
  EngineOptions Options(std::chrono::milliseconds retry_initial = std::chrono::milliseconds(1)) {
    EngineOptions options{.http_retry_backoff_ms = 1};
    options.notify_retry_initial = retry_initial;
    options.public_url = "https://assent.example";
    return options;
  }

  // extract -> tell (a notify step, `format` as given) -> done, which reads tell's output.
  void ApplyTelling(const std::string& format = "json") {
    json::value steps = json::parse(R"([
        {"id": "extract", "type": "code", "lua": "return {vendor = input.vendor}"},
        {"id": "tell", "type": "notify",
         "message": "Paid {{input.amount}} to {{steps.extract.vendor}}"},
        {"id": "done", "type": "code", "lua": "return {sent = steps.tell.delivery_id}"}])");
    steps.as_array()[1].as_object()["target"] = json::object{
        {"url", target_.url("/hook")}, {"format", format}, {"secret", kSecret}};
    auto applied = engine_->ApplyWorkflow(engine_testing::kAdmin, "pay",
                                          json::object{{"steps", std::move(steps)}});
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  }

  // Fails the first `failures_` requests with 500, then answers 200.
  std::atomic<size_t> failures_{0};
  testing::HttpTarget target_{[this](const testing::ReceivedRequest&, size_t index) {
    return testing::TargetResponse{index < failures_ ? 500u : 200u, "{}"};
  }};
};

TEST_F(NotifyStepTest, TheStepCompletesWithItsDeliveryIdAndTheMessageArrivesSigned) {
  Reopen(Options());
  ApplyTelling();
  std::string run_id = Start("pay", R"({"amount": 7200, "vendor": "ACME"})");
  RunView run = Run(run_id);
  ASSERT_EQ(run.status, RunStatus::kCompleted) << run.error;
  const json::value& told = run.steps.at("tell");
  // extract's StepCompleted is seq 2, tell's seq 3.
  EXPECT_EQ(told.at("delivery_id").as_string(), NoticeDeliveryId(run_id, 3));
  EXPECT_EQ(told.at("message"), "Paid 7200 to ACME");
  ASSERT_TRUE(run.output.has_value());
  EXPECT_EQ(run.output->at("sent"), told.at("delivery_id")) << "later steps read the output";

  ASSERT_TRUE(Eventually([&] { return target_.requests().size() == 1 && OutboxIds().empty(); }));
  const testing::ReceivedRequest request = target_.requests()[0];
  EXPECT_EQ(request.target, "/hook");
  EXPECT_EQ(request.headers.at("assent-delivery"), told.at("delivery_id").as_string());
  const std::string& signature = request.headers.at("assent-signature");
  const size_t comma = signature.find(",v1=");
  ASSERT_NE(comma, std::string::npos) << signature;
  EXPECT_EQ(signature.substr(comma + 4),
            WebhookHmac(kSecret, std::stoll(signature.substr(2, comma - 2)), request.body));
  // No renderer in the engine's options: the minimal body, which names what the api renders.
  EXPECT_EQ(json::parse(request.body),
            (json::value{{"type", "step.notify"},
                         {"delivery_id", told.at("delivery_id")},
                         {"workflow", "pay"},
                         {"run_id", run_id},
                         {"step", "tell"},
                         {"message", "Paid 7200 to ACME"},
                         {"url", "https://assent.example/runs/" + run_id}}));
}

TEST_F(NotifyStepTest, TheDeliveryIsInTheCommitOfTheStepAndSurvivesAReopen) {
  Reopen(Options(std::chrono::hours(1)));
  failures_ = 1;
  ApplyTelling("slack");
  std::string run_id = Start("pay", R"({"amount": 1, "vendor": "ACME"})");
  // Completed although the receiver refused the message: the run never waits on it.
  EXPECT_EQ(Run(run_id).status, RunStatus::kCompleted);
  const std::string id = NoticeDeliveryId(run_id, 3);
  ASSERT_TRUE(Eventually([&] { return target_.requests().size() == 1; }));
  std::string stored;
  ASSERT_TRUE(log_.GetIndex(storage::Index::kNotifyOutbox, id, &stored).ok());
  Result<OutboxDelivery> delivery = DecodeDelivery(stored);
  ASSERT_TRUE(delivery.ok());
  EXPECT_EQ(delivery->step_id, "tell");
  EXPECT_EQ(delivery->format, WebhookFormat::kSlack);
  EXPECT_EQ(delivery->url, target_.url("/hook"));

  Reopen(Options(std::chrono::hours(1)));  // what a restart does; the retry was an hour away
  ASSERT_TRUE(Eventually([&] { return target_.requests().size() == 2 && OutboxIds().empty(); }));
  EXPECT_EQ(target_.requests()[1].headers.at("assent-delivery"), id);
  EXPECT_EQ(target_.requests()[1].body, target_.requests()[0].body);
  EXPECT_TRUE(target_.requests()[1].headers.contains("assent-signature"));
}

TEST_F(NotifyStepTest, AMessageThatCannotRenderFailsTheRunAndSendsNothing) {
  Reopen(Options());
  ApplyTelling();
  std::string run_id = Start("pay", R"({"vendor": "ACME"})");  // no amount
  RunView run = Run(run_id);
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_THAT(run.error, HasSubstr("step 'tell' failed: 'message'"));
  EXPECT_THAT(run.error, HasSubstr("input.amount"));
  EXPECT_TRUE(OutboxIds().empty());
}

TEST_F(NotifyStepTest, EachVisitOfALoopSendsItsOwnMessage) {
  Reopen(Options());
  json::value document = json::parse(R"({"steps": [
      {"id": "count", "type": "code",
       "lua": "return {n = (steps.count and steps.count.n or 0) + 1}"},
      {"id": "tell", "type": "notify", "message": "round {{steps.count.n}}"},
      {"id": "again", "type": "condition", "if": "steps.count.n < 3",
       "then": "count", "else": "end"}]})");
  document.at("steps").as_array()[1].as_object()["target"] =
      json::object{{"url", target_.url("/loop")}};
  ASSERT_TRUE(engine_->ApplyWorkflow(engine_testing::kAdmin, "loop", document).ok());
  std::string run_id = Start("loop", "{}");
  ASSERT_EQ(Run(run_id).status, RunStatus::kCompleted);
  ASSERT_TRUE(Eventually([&] { return target_.requests().size() == 3 && OutboxIds().empty(); }));
  std::set<std::string> ids;
  std::vector<std::string> messages;
  for (const auto& request : target_.requests()) {
    ids.insert(request.headers.at("assent-delivery"));
    EXPECT_FALSE(request.headers.contains("assent-signature")) << "the target has no secret";
    messages.push_back(std::string(json::parse(request.body).at("message").as_string()));
  }
  EXPECT_EQ(ids.size(), 3u);
  std::sort(messages.begin(), messages.end());
  EXPECT_THAT(messages, ElementsAre("round 1", "round 2", "round 3"));
}

TEST_F(NotifyStepTest, ViewsOfTheDefinitionHideTheStepsSecretAndPath) {
  Reopen(Options());
  ApplyTelling();
  auto workflow = engine_->GetWorkflow(engine_testing::kAdmin, "pay");
  ASSERT_TRUE(workflow.ok());
  const json::value& target = workflow->definition.at("steps").at(1).at("target");
  EXPECT_EQ(target.at("secret"), "***");
  EXPECT_EQ(target.at("url").as_string(), target_.url("/***"));
  EXPECT_EQ(json::serialize(workflow->definition).find(kSecret), std::string::npos);
  // Applied back as shown, it is refused rather than posting to ".../***" signed with "***".
  auto reapplied = engine_->ApplyWorkflow(engine_testing::kAdmin, "pay", workflow->definition);
  ASSERT_FALSE(reapplied.ok());
  EXPECT_THAT(reapplied.status().message(),
              HasSubstr("step 'tell': 'target': 'url' is the redacted placeholder"));
}

// Parsing alone: what a notify step must say, each refusal naming the step and the field.
Status ParseError(const std::string& step) {
  auto parsed = ParseDefinition("flow", json::parse(R"({"steps": [)" + step + "]}"));
  return parsed.ok() ? Status::Ok() : parsed.status();
}

TEST(NotifyStepDefinitionTest, RefusalsNameTheStepAndTheField) {
  EXPECT_THAT(ParseError(R"({"id": "t", "type": "notify", "message": "hi"})").message(),
              HasSubstr("step 't': missing required field 'target'"));
  EXPECT_THAT(ParseError(R"({"id": "t", "type": "notify",
                             "target": {"url": "https://h.example/x"}})").message(),
              HasSubstr("step 't': missing required field 'message'"));
  EXPECT_THAT(ParseError(R"({"id": "t", "type": "notify", "message": "hi {{input.",
                             "target": {"url": "https://h.example/x"}})").message(),
              HasSubstr("step 't': 'message'"));
  EXPECT_THAT(ParseError(R"({"id": "t", "type": "notify", "message": "hi",
                             "target": "https://h.example/x"})").message(),
              HasSubstr("step 't': 'target': must be an object with a 'url'"));
  EXPECT_THAT(ParseError(R"({"id": "t", "type": "notify", "message": "hi",
                             "target": {"url": "https://h.example/x", "format": "xml"}})")
                  .message(),
              HasSubstr("step 't': 'target' (https://h.example/x): 'format' must be \"json\" or "
                        "\"slack\""));
  EXPECT_THAT(ParseError(R"({"id": "t", "type": "notify", "message": "hi",
                             "target": {"url": "http://169.254.169.254/x"}})").message(),
              HasSubstr("step 't': 'target' (http://169.254.169.254/x): 'url' is in"));
  EXPECT_THAT(ParseError(R"({"id": "t", "type": "notify", "message": "hi",
                             "target": {"url": "http://h.example/x", "ca_file": "/ca.pem"}})")
                  .message(),
              HasSubstr("'ca_file' needs an https URL"));
  EXPECT_THAT(ParseError(R"({"id": "t", "type": "notify", "message": "hi", "url": "x",
                             "target": {"url": "https://h.example/x"}})").message(),
              HasSubstr("step 't': unknown field 'url' for a notify step"));
  EXPECT_THAT(ParseError(R"({"id": "t", "type": "notify", "message": "hi",
                             "target": {"url": "https://h.example/x", "token": "x"}})").message(),
              HasSubstr("step 't': 'target': unknown field 'token'"));

  auto parsed = ParseDefinition("flow", json::parse(R"({"steps": [{"id": "t", "type": "notify",
      "message": "hi {{input.name}}", "target": {"url": "https://h.example/x", "format": "slack",
      "secret": "s", "ca_file": "/etc/ca.pem"}}]})"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const StepDefinition& step = (*parsed)->steps[0];
  EXPECT_EQ(step.type, StepType::kNotify);
  EXPECT_EQ(step.message, "hi {{input.name}}");
  EXPECT_EQ(step.target, (NotifyTarget{"https://h.example/x", WebhookFormat::kSlack, "s",
                                       "/etc/ca.pem"}));
}

TEST(NotifyStepDefinitionTest, TheMessageNamesOnlyStepsThatCanHaveRun) {
  auto parsed = ParseDefinition("flow", json::parse(R"({"steps": [
      {"id": "t", "type": "notify", "message": "{{steps.later.x}}",
       "target": {"url": "https://h.example/x"}},
      {"id": "later", "type": "code", "lua": "return {x = 1}"}]})"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_THAT(CheckNewDefinition(**parsed).message(),
              HasSubstr("step 't': 'message' refers to steps.later, which cannot have run"));
}

}  // namespace
}  // namespace assent::engine
