// The invoice flow through the real server: auto-approved, approved over the WebSocket, from
// the CLI, rejected with feedback, cancelled, and a second decision refused.
#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

bool IsType(const json::value& message, const char* type) {
  return message.is_object() && message.as_object().contains("type") && message.at("type") == type;
}

TEST_F(E2eTest, SmallInvoiceIsPaidWithoutApproval) {
  std::string run_id = StartInvoice(120);
  json::value run = AwaitRunStatus(run_id, "completed");
  EXPECT_EQ(run.at("steps").at("check").at("result"), false);
  EXPECT_EQ(run.at("output").at("approved_by"), "auto");
  ASSERT_EQ(payee_.requests().size(), 1u);
  EXPECT_EQ(payee_.requests()[0].headers.at("idempotency-key"), run_id + "/pay/4");
  EXPECT_EQ(json::parse(payee_.requests()[0].body), json::parse(R"({"amount":120,"vendor":"ACME"})"));
}

TEST_F(E2eTest, LargeInvoiceIsApprovedByAWebSocketReviewer) {
  StreamClient reviewer(server_->port(), kToken, StreamClient::Auth::kHeader);
  json::value snapshot = reviewer.Read();
  ASSERT_TRUE(IsType(snapshot, "snapshot")) << json::serialize(snapshot);
  EXPECT_TRUE(snapshot.at("pending").as_array().empty());

  std::string run_id = StartInvoice(7200);
  json::value requested = reviewer.ReadUntil([](const json::value& m) { return IsType(m, "approval.requested"); });
  const json::value& approval = requested.at("approval");
  EXPECT_EQ(approval.at("run_id"), run_id.c_str());
  EXPECT_EQ(approval.at("message"), "Pay 7200 to ACME?");
  EXPECT_EQ(approval.at("show").at("amount"), 7200);
  EXPECT_EQ(approval.at("status"), "pending");
  EXPECT_EQ(AwaitRunStatus(run_id, "waiting").at("pending_approvals").as_array().size(), 1u);

  reviewer.Send({{"type", "decide"}, {"id", approval.at("id")}, {"decision", "approve"},
                 {"comment", "vendor checked"}, {"req", "r1"}});
  // The broadcast and the ack may come in either order.
  json::value ack, decided;
  while (ack.is_null() || decided.is_null()) {
    json::value message = reviewer.Read();
    if (IsType(message, "ack")) ack = message;
    if (IsType(message, "approval.decided")) decided = message;
  }
  EXPECT_EQ(ack.at("req"), "r1");
  EXPECT_EQ(decided.at("approval").at("status"), "approved");
  EXPECT_EQ(decided.at("approval").at("decisions").at(0).at("comment"), "vendor checked");

  json::value run = AwaitRunStatus(run_id, "completed");
  EXPECT_EQ(run.at("output").at("approved_by"), "admin");
  EXPECT_EQ(run.at("output").at("payment").at("payment_id"), "pay-0");
}

TEST_F(E2eTest, LargeInvoiceIsApprovedFromTheCli) {
  std::string run_id = StartInvoice(9100, "Globex");
  json::value waiting = AwaitRunStatus(run_id, "waiting");
  std::string approval_id(waiting.at("pending_approvals").at(0).at("id").as_string());
  std::vector<std::string> env = CliEnv();

  CommandResult listed = RunAssent({"approvals"}, env);
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_THAT(listed.output, HasSubstr(approval_id));
  EXPECT_THAT(listed.output, HasSubstr("Pay 9100 to Globex?"));

  CommandResult approved = RunAssent({"approve", approval_id, "--comment", "ok"}, env);
  EXPECT_EQ(approved.exit_code, 0) << approved.output;
  AwaitRunStatus(run_id, "completed");

  CommandResult again = RunAssent({"approve", approval_id}, env);
  EXPECT_NE(again.exit_code, 0);
  EXPECT_THAT(again.output, HasSubstr("conflict"));

  CommandResult shown = RunAssent({"show", run_id}, env);
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_THAT(shown.output, HasSubstr("approval.decided"));
  EXPECT_THAT(shown.output, HasSubstr("completed"));
}

TEST_F(E2eTest, RejectWithFeedbackFailsTheRunAndKeepsTheFeedback) {
  std::string run_id = StartInvoice(8000, "Shady Ltd");
  json::value waiting = AwaitRunStatus(run_id, "waiting");
  std::string approval_id(waiting.at("pending_approvals").at(0).at("id").as_string());

  HttpReply missing_comment = api().Post("/v1/approvals/" + approval_id + "/decision",
                                         json::object{{"decision", "reject"}});
  EXPECT_EQ(missing_comment.status, 400u) << missing_comment.raw;

  HttpReply rejected = api().Post("/v1/approvals/" + approval_id + "/decision",
                                  json::object{{"decision", "reject"}, {"comment", "not our vendor"}});
  ASSERT_EQ(rejected.status, 200u) << rejected.raw;
  EXPECT_EQ(rejected.body.at("status"), "rejected");

  json::value run = AwaitRunStatus(run_id, "failed");
  EXPECT_THAT(std::string(run.at("error").as_string()), HasSubstr("not our vendor"));
  EXPECT_TRUE(payee_.requests().empty());
  HttpReply approval = api().Get("/v1/approvals/" + approval_id);
  EXPECT_EQ(approval.body.at("decisions").at(0).at("comment"), "not our vendor");
  EXPECT_EQ(approval.body.at("decisions").at(0).at("reviewer"), "admin");
}

TEST_F(E2eTest, CancelStopsAWaitingRun) {
  std::string run_id = StartInvoice(6000);
  AwaitRunStatus(run_id, "waiting");
  HttpReply cancelled = api().Post("/v1/runs/" + run_id + "/cancel", json::object{{"reason", "duplicate"}});
  ASSERT_EQ(cancelled.status, 200u) << cancelled.raw;
  EXPECT_EQ(cancelled.body.at("status"), "cancelled");
  EXPECT_TRUE(api().Get("/v1/approvals?status=pending").body.at("approvals").as_array().empty());
  EXPECT_EQ(api().Get("/v1/runs?status=cancelled").body.at("runs").as_array().size(), 1u);
  EXPECT_EQ(api().Post("/v1/runs/" + run_id + "/cancel", json::object{}).status, 409u);
}

TEST_F(E2eTest, SecondDecisionIsAConflictAndChangesNothing) {
  std::string run_id = StartInvoice(6500);
  json::value waiting = AwaitRunStatus(run_id, "waiting");
  std::string approval_id(waiting.at("pending_approvals").at(0).at("id").as_string());
  std::string decide = "/v1/approvals/" + approval_id + "/decision";
  ASSERT_EQ(api().Post(decide, json::object{{"decision", "approve"}}).status, 200u);

  HttpReply second = api().Post(decide, json::object{{"decision", "reject"}, {"comment", "late"}});
  EXPECT_EQ(second.status, 409u);
  EXPECT_EQ(second.body.at("error").at("code"), "conflict");
  EXPECT_EQ(api().Get("/v1/approvals/" + approval_id).body.at("status"), "approved");
  AwaitRunStatus(run_id, "completed");
  int decisions = 0;
  HttpReply events = api().Get("/v1/runs/" + run_id + "/events");
  for (const json::value& event : events.body.at("events").as_array()) {
    if (event.at("type") == "approval.decided") ++decisions;
  }
  EXPECT_EQ(decisions, 1);
}

TEST_F(E2eTest, CommentsReachTheStream) {
  std::string run_id = StartInvoice(7000);
  std::string approval_id(
      AwaitRunStatus(run_id, "waiting").at("pending_approvals").at(0).at("id").as_string());
  StreamClient reviewer(server_->port(), kToken, StreamClient::Auth::kFirstMessage);
  json::value snapshot = reviewer.ReadUntil([](const json::value& m) { return IsType(m, "snapshot"); });
  ASSERT_EQ(snapshot.at("pending").as_array().size(), 1u);
  EXPECT_EQ(snapshot.at("pending").at(0).at("id"), approval_id.c_str());

  HttpReply commented = api().Post("/v1/approvals/" + approval_id + "/comments",
                                   json::object{{"text", "asking finance"}});
  ASSERT_EQ(commented.status, 201u) << commented.raw;
  json::value event = reviewer.ReadUntil([](const json::value& m) { return IsType(m, "comment.added"); });
  EXPECT_EQ(event.at("approval").at("comments").at(0).at("text"), "asking finance");

  reviewer.Send({{"type", "comment"}, {"id", approval_id}, {"text", "finance ok"}, {"req", "c1"}});
  json::value ack = reviewer.ReadUntil([](const json::value& m) { return IsType(m, "ack"); });
  EXPECT_EQ(ack.at("req"), "c1");
  EXPECT_EQ(api().Get("/v1/approvals/" + approval_id).body.at("comments").as_array().size(), 2u);
}

}  // namespace
}  // namespace assent::testing
