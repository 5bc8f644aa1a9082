// Gates for outside agents through the real server: POST /v1/gates and the long poll of
// GET /v1/gates/{id}?wait=, decided by a reviewer over REST, across a SIGKILL; and the Python
// example (examples/agent_gate.py), run as a user would, acting only once approved.
#include <future>

#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;

constexpr const char* kRefund = R"({
  "title": "Refund order A-1001",
  "message": "The support agent wants to refund this order in full.",
  "context": {"order": "A-1001", "amount": 129.9},
  "approvers": ["group:support-leads"],
  "timeout": "1h"
})";

class AgentGateE2eTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    lead_token_ = AddUser(json::object{{"id", "lead"}, {"groups", json::array{"support-leads"}}});
    agent_token_ = AddUser(json::object{{"id", "agent"}, {"service", true}});
    outsider_token_ = AddUser(json::object{{"id", "outsider"}});
  }

  ApiClient As(const std::string& token) { return ApiClient(server_->port(), token); }

  // Polls the lead's inbox (bounded) until it holds a gate; that gate's JSON.
  json::object AwaitGateInInbox() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    ApiClient lead = As(lead_token_);
    HttpReply reply;
    while (std::chrono::steady_clock::now() < deadline) {
      reply = lead.Get("/v1/approvals?assignee=me");
      if (reply.status == 200 && !reply.body.at("approvals").as_array().empty()) {
        return reply.body.at("approvals").as_array().front().as_object();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval, not a sync
    }
    ADD_FAILURE() << "no gate reached the lead's inbox; last: " << reply.raw;
    return {};
  }

  std::string lead_token_;
  std::string agent_token_;
  std::string outsider_token_;
};

TEST_F(AgentGateE2eTest, AnAgentOpensAGateAndItsLongPollReturnsTheDecisionWithEdits) {
  ApiClient agent = As(agent_token_);
  HttpReply opened = agent.Send("POST", "/v1/gates", kRefund, {{"Idempotency-Key", "refund-1"}});
  ASSERT_EQ(opened.status, 201u) << opened.raw;
  std::string id(opened.body.at("id").as_string());
  EXPECT_EQ(opened.body.at("status"), "pending");
  EXPECT_EQ(opened.body.at("title"), "Refund order A-1001");
  EXPECT_EQ(opened.body.at("opened_by"), "agent");
  EXPECT_EQ(opened.body.at("context"), json::parse(R"({"order": "A-1001", "amount": 129.9})"));
  EXPECT_TRUE(opened.body.as_object().contains("due_at"));

  HttpReply repeated = agent.Send("POST", "/v1/gates", kRefund, {{"Idempotency-Key", "refund-1"}});
  ASSERT_EQ(repeated.status, 200u) << repeated.raw;
  EXPECT_EQ(repeated.body.at("id"), id.c_str()) << "a retried open opens no second gate";

  // The reviewer sees it like any approval: in the inbox, marked as a gate, decidable.
  json::object queued = AwaitGateInInbox();
  EXPECT_EQ(queued.at("id"), id.c_str());
  EXPECT_EQ(queued.at("gate"), true);
  EXPECT_EQ(queued.at("can_decide"), true);
  EXPECT_EQ(As(outsider_token_).Get("/v1/gates/" + id).status, 404u);
  EXPECT_EQ(As(outsider_token_).Get("/v1/approvals/" + id).status, 404u);

  auto poll = std::async(std::launch::async, [&] {
    return As(agent_token_).Get("/v1/gates/" + id + "?wait=30s");
  });
  HttpReply decided = As(lead_token_).Post(
      "/v1/approvals/" + id + "/decision",
      json::parse(R"({"decision": "approve", "comment": "half now", "edits": {"amount": 64.95}})"));
  ASSERT_EQ(decided.status, 200u) << decided.raw;
  HttpReply answered = poll.get();
  ASSERT_EQ(answered.status, 200u) << answered.raw;
  EXPECT_EQ(answered.body.at("status"), "approved");
  EXPECT_EQ(answered.body.at("reviewer"), "lead");
  EXPECT_EQ(answered.body.at("feedback"), "half now");
  EXPECT_EQ(answered.body.at("approved_context").at("amount"), 64.95);
  EXPECT_EQ(answered.body.at("context").at("amount"), 129.9);
  EXPECT_EQ(answered.body.at("edits").as_array().size(), 1u);

  // Audited: who opened it and who decided it.
  HttpReply opened_by = api().Get("/v1/audit?actor=agent");
  ASSERT_EQ(opened_by.status, 200u) << opened_by.raw;
  ASSERT_EQ(opened_by.body.at("entries").as_array().size(), 1u) << opened_by.raw;
  EXPECT_EQ(opened_by.body.at("entries").at(0).at("action"), "gate.opened");
  HttpReply decided_by = api().Get("/v1/audit?approval=" + id);
  ASSERT_EQ(decided_by.status, 200u) << decided_by.raw;
  ASSERT_EQ(decided_by.body.at("entries").as_array().size(), 1u) << decided_by.raw;
  EXPECT_EQ(decided_by.body.at("entries").at(0).at("action"), "approval.decided");
  EXPECT_EQ(decided_by.body.at("entries").at(0).at("actor"), "lead");
}

TEST_F(AgentGateE2eTest, TheStreamCarriesAGateToItsApproversOnly) {
  // A finance user sees the invoices' approvals but not the support leads' gate.
  std::string finance_token =
      AddUser(json::object{{"id", "watcher"}, {"groups", json::array{"finance"}}});
  StreamClient lead(server_->port(), lead_token_, StreamClient::Auth::kHeader);
  StreamClient watcher(server_->port(), finance_token, StreamClient::Auth::kHeader);
  ASSERT_TRUE(IsType(lead.Read(std::chrono::seconds(10)), "snapshot"));
  ASSERT_TRUE(IsType(watcher.Read(std::chrono::seconds(10)), "snapshot"));

  HttpReply opened = As(agent_token_).Send("POST", "/v1/gates", kRefund);
  ASSERT_EQ(opened.status, 201u) << opened.raw;
  std::string invoice = StartInvoice(9000);
  json::value to_lead = lead.Read(std::chrono::seconds(10));
  ASSERT_TRUE(IsType(to_lead, "approval.requested")) << json::serialize(to_lead);
  EXPECT_EQ(to_lead.at("approval").at("id"), opened.body.at("id"));
  EXPECT_EQ(to_lead.at("approval").at("gate"), true);
  EXPECT_EQ(to_lead.at("approval").at("title"), "Refund order A-1001");
  EXPECT_EQ(to_lead.at("approval").at("can_decide"), true);
  // Notifications come in commit order: the watcher's first is the invoice's, the later one.
  json::value to_watcher = watcher.Read(std::chrono::seconds(10));
  ASSERT_TRUE(IsType(to_watcher, "approval.requested")) << json::serialize(to_watcher);
  EXPECT_EQ(to_watcher.at("approval").at("run_id"), invoice.c_str());
}

TEST_F(AgentGateE2eTest, AGateOutlivesASigkillAndIsDecidedAfterTheRestart) {
  HttpReply opened = As(agent_token_).Send("POST", "/v1/gates", kRefund);
  ASSERT_EQ(opened.status, 201u) << opened.raw;
  std::string id(opened.body.at("id").as_string());
  server_->Kill();
  StartServer();
  HttpReply pending = As(agent_token_).Get("/v1/gates/" + id);
  ASSERT_EQ(pending.status, 200u) << pending.raw;
  EXPECT_EQ(pending.body.at("status"), "pending");
  HttpReply rejected = As(lead_token_).Post(
      "/v1/approvals/" + id + "/decision",
      json::parse(R"({"decision": "reject", "comment": "order was already refunded"})"));
  ASSERT_EQ(rejected.status, 200u) << rejected.raw;
  HttpReply answered = As(agent_token_).Get("/v1/gates/" + id + "?wait=30s");
  EXPECT_EQ(answered.body.at("status"), "rejected");
  EXPECT_EQ(answered.body.at("feedback"), "order was already refunded");
}

TEST_F(AgentGateE2eTest, BadRequestsGetAClearErrorAndOpenNothing) {
  ApiClient agent = As(agent_token_);
  const std::pair<std::string, std::string> cases[] = {
      {R"({"context": {}})", "'title'"},
      {R"({"title": "x", "approvers": "lead"})", "'approvers'"},
      {R"({"title": "x", "timeout": "forever"})", "'timeout'"},
      {R"({"title": "x", "extra": 1})", "unknown field 'extra'"},
      {"{not json", "JSON"},
  };
  for (const auto& [body, says] : cases) {
    HttpReply refused = agent.Send("POST", "/v1/gates", body);
    EXPECT_EQ(refused.status, 400u) << body << ": " << refused.raw;
    EXPECT_THAT(refused.raw, ::testing::HasSubstr(says)) << body;
  }
  HttpReply bad_wait = agent.Get("/v1/gates/run_0.2?wait=soon");
  EXPECT_EQ(bad_wait.status, 400u) << bad_wait.raw;
  EXPECT_EQ(agent.Get("/v1/gates/no-such-gate").status, 404u);
  EXPECT_EQ(api().Get("/v1/approvals").body.at("approvals").as_array().size(), 0u);
  HttpReply unsigned_in = agent.Send("POST", "/v1/gates", kRefund, {}, /*authorize=*/false);
  EXPECT_EQ(unsigned_in.status, 401u);
}

TEST_F(AgentGateE2eTest, ThePythonExampleRefundsOnlyWhatTheReviewerApproved) {
  std::vector<std::string> env{"ASSENT_URL=http://127.0.0.1:" + std::to_string(server_->port()),
                               "ASSENT_TOKEN=" + agent_token_, "ORDER=B-7"};
  auto agent = std::async(std::launch::async, [&] {
    return RunProgram("/usr/bin/python3", {ASSENT_EXAMPLES_DIR "/agent_gate.py"}, env);
  });
  json::object gate = AwaitGateInInbox();
  EXPECT_EQ(gate.at("title"), "Refund order B-7");
  HttpReply decided = As(lead_token_).Post(
      "/v1/approvals/" + std::string(gate.at("id").as_string()) + "/decision",
      json::parse(R"({"decision": "approve", "comment": "", "edits": {"amount": 50}})"));
  ASSERT_EQ(decided.status, 200u) << decided.raw;
  CommandResult ran = agent.get();
  EXPECT_EQ(ran.exit_code, 0) << ran.output;
  EXPECT_THAT(ran.output, ::testing::HasSubstr("refunded 50 EUR on order B-7"));
}

TEST_F(AgentGateE2eTest, ThePythonExampleHandsARejectionsFeedbackBack) {
  std::vector<std::string> env{"ASSENT_URL=http://127.0.0.1:" + std::to_string(server_->port()),
                               "ASSENT_TOKEN=" + agent_token_};
  auto agent = std::async(std::launch::async, [&] {
    return RunProgram("/usr/bin/python3", {ASSENT_EXAMPLES_DIR "/agent_gate.py"}, env);
  });
  json::object gate = AwaitGateInInbox();
  HttpReply decided = As(lead_token_).Post(
      "/v1/approvals/" + std::string(gate.at("id").as_string()) + "/decision",
      json::parse(R"({"decision": "reject", "comment": "customer abuses refunds"})"));
  ASSERT_EQ(decided.status, 200u) << decided.raw;
  CommandResult ran = agent.get();
  EXPECT_EQ(ran.exit_code, 1) << ran.output;
  EXPECT_THAT(ran.output, ::testing::HasSubstr("rejected by lead: customer abuses refunds"));
  EXPECT_THAT(ran.output, ::testing::Not(::testing::HasSubstr("refunded")));
}

}  // namespace
}  // namespace assent::testing
