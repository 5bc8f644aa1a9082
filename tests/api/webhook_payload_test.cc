// The bodies of webhook notifications: the json format carries the approval exactly as
// GET /v1/approvals/{id} shows it; the slack format is an incoming-webhook message whose blocks
// show the message, the shown fields, the decision and a link, escaped and within Slack's limits.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/json_views.h"
#include "api/webhook_payload.h"

namespace assent::api {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

engine::WebhookMessage Message(engine::WebhookFormat format, const std::string& type) {
  engine::WebhookMessage message;
  message.format = format;
  message.type = type;
  message.delivery_id = "run_1.2." + type.substr(9) + ".1";
  message.approval.workflow = "invoice";
  message.approval.id = "run_1.2";
  message.approval.run_id = "run_1";
  message.approval.step_id = "review";
  message.approval.message = "Pay 7200 to <ACME & Co>?";
  message.approval.show = json::object{{"amount", 7200}, {"vendor", "ACME"}};
  message.approval.requested_at_ms = 1'700'000'000'000;
  message.approval_url = "https://assent.example/approvals/run_1.2";
  return message;
}

TEST(WebhookPayloadTest, JsonCarriesTheApprovalAsTheApiShowsIt) {
  engine::WebhookMessage message = Message(engine::WebhookFormat::kJson, "approval.requested");
  json::value body = json::parse(RenderWebhook(message));
  EXPECT_EQ(body, (json::value{{"type", "approval.requested"},
                               {"delivery_id", "run_1.2.requested.1"},
                               {"workflow", "invoice"},
                               {"run_id", "run_1"},
                               {"approval", ToJson(message.approval)},
                               {"url", "https://assent.example/approvals/run_1.2"}}));
  message.approval_url.clear();
  EXPECT_TRUE(json::parse(RenderWebhook(message)).at("url").is_null());
}

// The texts of every block, in order, as one string.
std::string BlockTexts(const json::value& body) {
  std::string texts;
  for (const json::value& block : body.at("blocks").as_array()) {
    texts += json::serialize(block) + "\n";
  }
  return texts;
}

TEST(WebhookPayloadTest, SlackShowsMessageFieldsAndALinkButton) {
  json::value body = json::parse(
      RenderWebhook(Message(engine::WebhookFormat::kSlack, "approval.requested")));
  EXPECT_EQ(body.at("text"), "Approval requested: Pay 7200 to &lt;ACME &amp; Co&gt;?");
  const json::array& blocks = body.at("blocks").as_array();
  EXPECT_EQ(blocks.front().at("type"), "header");
  std::string texts = BlockTexts(body);
  EXPECT_THAT(texts, HasSubstr(R"("text":"Pay 7200 to &lt;ACME &amp; Co&gt;?")"));
  EXPECT_THAT(texts, HasSubstr(R"(*amount*\n7200)"));
  EXPECT_THAT(texts, HasSubstr(R"(*vendor*\nACME)"));
  EXPECT_THAT(texts, HasSubstr("workflow `invoice`"));
  const json::value& actions = blocks.back();
  EXPECT_EQ(actions.at("type"), "actions");
  EXPECT_EQ(actions.at("elements").at(0).at("url"), "https://assent.example/approvals/run_1.2");
}

TEST(WebhookPayloadTest, SlackShowsTheDecisionWhoAndComment) {
  engine::WebhookMessage message = Message(engine::WebhookFormat::kSlack, "approval.decided");
  message.approval.status = engine::ApprovalStatus::kRejected;
  message.approval.decisions.push_back({engine::Decision::kReject, "alice", "not our vendor", 1});
  message.approval_url.clear();
  json::value body = json::parse(RenderWebhook(message));
  EXPECT_THAT(BlockTexts(body), HasSubstr("*Rejected* by alice: not our vendor"));
  EXPECT_THAT(std::string(body.at("text").as_string()), HasSubstr("Approval decided"));
  EXPECT_NE(body.at("blocks").as_array().back().at("type"), "actions") << "no link without URL";
}

TEST(WebhookPayloadTest, SlackShowsAnApprovalsEditsAndJsonCarriesThem) {
  engine::WebhookMessage message = Message(engine::WebhookFormat::kSlack, "approval.decided");
  message.approval.status = engine::ApprovalStatus::kApproved;
  engine::DecisionView decision{engine::Decision::kApprove, "alice", "discount", 1};
  decision.edits = json::object{{"amount", 6500}};
  decision.edit_diff = json::parse(
      R"([{"path": "/amount", "op": "changed", "before": 7200, "after": 6500}])").as_array();
  message.approval.decisions.push_back(decision);
  json::value slack = json::parse(RenderWebhook(message));
  EXPECT_THAT(BlockTexts(slack), HasSubstr("*Approved* by alice: discount\\n`amount`: 7200 \u2192 6500"));
  message.format = engine::WebhookFormat::kJson;
  json::value plain = json::parse(RenderWebhook(message));
  EXPECT_EQ(plain.at("approval").at("decisions").at(0).at("edit_diff"),
            json::value(decision.edit_diff));
}

TEST(WebhookPayloadTest, SlackCutsLongTextsOnACharacterBoundary) {
  engine::WebhookMessage message = Message(engine::WebhookFormat::kSlack, "approval.cancelled");
  message.approval.status = engine::ApprovalStatus::kCancelled;
  message.approval.message = std::string(2996, 'a') + "\xC3\xA9\xC3\xA9x";  // a cut inside é
  for (int i = 0; i < 60; ++i) message.approval.show["k" + std::to_string(i)] = i;
  json::value body = json::parse(RenderWebhook(message));  // parses: valid UTF-8 kept
  const json::array& blocks = body.at("blocks").as_array();
  std::string section(blocks.at(1).at("text").at("text").as_string());
  EXPECT_EQ(section, std::string(2996, 'a') + "\xE2\x80\xA6");
  EXPECT_LE(blocks.size(), 50u);
  for (const json::value& block : blocks) {
    if (const json::value* fields = block.as_object().if_contains("fields")) {
      EXPECT_LE(fields->as_array().size(), 10u);
    }
  }
  EXPECT_THAT(BlockTexts(body), HasSubstr("*Cancelled*"));
}

engine::WebhookMessage Notice(engine::WebhookFormat format) {
  engine::WebhookMessage message;
  message.format = format;
  message.type = "step.notify";
  message.delivery_id = "run_1.3.notify";
  message.notice = {"invoice", "run_1", "tell", "Paid 7200 to <ACME & Co>",
                    "https://assent.example/runs/run_1"};
  return message;
}

TEST(WebhookPayloadTest, ANotifyStepsJsonNamesRunWorkflowStepAndMessage) {
  engine::WebhookMessage message = Notice(engine::WebhookFormat::kJson);
  EXPECT_EQ(json::parse(RenderWebhook(message)),
            (json::value{{"type", "step.notify"},
                         {"delivery_id", "run_1.3.notify"},
                         {"workflow", "invoice"},
                         {"run_id", "run_1"},
                         {"step", "tell"},
                         {"message", "Paid 7200 to <ACME & Co>"},
                         {"url", "https://assent.example/runs/run_1"}}));
  message.notice.run_url.clear();
  EXPECT_TRUE(json::parse(RenderWebhook(message)).at("url").is_null());
}

TEST(WebhookPayloadTest, ANotifyStepsSlackMessageIsItsTextWithALinkToTheRun) {
  engine::WebhookMessage message = Notice(engine::WebhookFormat::kSlack);
  json::value body = json::parse(RenderWebhook(message));
  EXPECT_EQ(body.at("text"), "Paid 7200 to &lt;ACME &amp; Co&gt;");
  const json::array& blocks = body.at("blocks").as_array();
  EXPECT_EQ(blocks.front().at("text").at("text"), "Paid 7200 to &lt;ACME &amp; Co&gt;");
  EXPECT_THAT(BlockTexts(body), HasSubstr("workflow `invoice` · run `run_1` · step `tell`"));
  EXPECT_EQ(blocks.back().at("elements").at(0).at("url"), "https://assent.example/runs/run_1");
  message.notice.run_url.clear();
  message.notice.message = std::string(4000, 'x');
  body = json::parse(RenderWebhook(message));
  EXPECT_NE(body.at("blocks").as_array().back().at("type"), "actions") << "no link without URL";
  EXPECT_LE(body.at("text").as_string().size(), 3000u);
}

}  // namespace
}  // namespace assent::api
