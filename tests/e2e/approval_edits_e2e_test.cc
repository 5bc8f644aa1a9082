// Approve with edits through the real server: over REST, the stream and the CLI a reviewer
// changes shown values as they approve; the next step pays the edited amount; the run's events
// keep the edits, the show as reviewed and the diff, also after a SIGKILL and a restart; a
// malformed or disallowed edit answers 400 with a clear message and records nothing.
#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

constexpr const char* kPayFlow = R"({"editors": ["alice"], "steps": [
  {"id": "review", "type": "approval", "message": "Pay {{input.amount}}?",
   "show": {"amount": "{{input.amount}}", "vendor": "{{input.vendor}}"}, "edits": ["amount"]},
  {"id": "pay", "type": "code", "lua": "return {paid = steps.review.show.amount}"}
]})";

class ApprovalEditsE2eTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    if (HasFatalFailure()) return;
    alice_ = AddUser({{"id", "alice"}});
    HttpReply applied = api().Put("/v1/workflows/pay", json::parse(kPayFlow));
    ASSERT_EQ(applied.status, 200u) << applied.raw;
  }

  ApiClient Alice() { return ApiClient(server_->port(), alice_); }

  // A run paying 7200 to ACME: {run id, approval id}.
  std::pair<std::string, std::string> StartPayment() {
    HttpReply started = api().Post("/v1/workflows/pay/runs",
                                   json::parse(R"({"input": {"amount": 7200, "vendor": "ACME"}})"));
    EXPECT_EQ(started.status, 201u) << started.raw;
    std::string run_id(started.body.at("run_id").as_string());
    json::value run = AwaitRunStatus(run_id, "waiting");
    return {run_id, std::string(run.at("pending_approvals").at(0).at("id").as_string())};
  }

  json::value DecidedEvent(const std::string& run_id) {
    HttpReply events = api().Get("/v1/runs/" + run_id + "/events");
    EXPECT_EQ(events.status, 200u) << events.raw;
    for (const json::value& event : events.body.at("events").as_array()) {
      if (IsType(event, "approval.decided")) return event;
    }
    ADD_FAILURE() << "no approval.decided in " << events.raw;
    return nullptr;
  }

  std::string alice_;
};

TEST_F(ApprovalEditsE2eTest, RestEditsReachThePaymentAndSurviveASigkill) {
  auto [run_id, approval_id] = StartPayment();
  std::string decide = "/v1/approvals/" + approval_id + "/decision";

  // Refused, each naming what is wrong, with nothing recorded.
  HttpReply not_object = Alice().Post(decide, json::parse(R"({"decision": "approve", "edits": 5})"));
  EXPECT_EQ(not_object.status, 400u) << not_object.raw;
  EXPECT_THAT(not_object.raw, HasSubstr("\\\"edits\\\" must be a JSON object"));
  HttpReply on_reject = Alice().Post(
      decide, json::parse(R"({"decision": "reject", "comment": "no", "edits": {"amount": 1}})"));
  EXPECT_EQ(on_reject.status, 400u) << on_reject.raw;
  HttpReply vendor = Alice().Post(
      decide, json::parse(R"({"decision": "approve", "edits": {"vendor": "Evil Corp"}})"));
  EXPECT_EQ(vendor.status, 400u) << vendor.raw;
  EXPECT_THAT(vendor.raw, HasSubstr("allows edits only to amount"));
  EXPECT_EQ(api().Get("/v1/approvals/" + approval_id).body.at("status"), "pending");
  EXPECT_EQ(Alice().Get("/v1/approvals/" + approval_id).body.at("edits"), json::parse(R"(["amount"])"));

  HttpReply approved = Alice().Post(
      decide, json::parse(R"({"decision": "approve", "comment": "discount", "edits": {"amount": 6500}})"));
  ASSERT_EQ(approved.status, 200u) << approved.raw;
  EXPECT_EQ(approved.body.at("decisions").at(0).at("edits"), json::parse(R"({"amount": 6500})"));
  EXPECT_EQ(AwaitRunStatus(run_id, "completed").at("steps").at("pay").at("paid"), 6500);

  server_->Kill();  // SIGKILL
  StartServer();
  json::value decided = DecidedEvent(run_id);
  EXPECT_EQ(decided.at("edits"), json::parse(R"({"amount": 6500})"));
  EXPECT_EQ(decided.at("show_before"), json::parse(R"({"amount": 7200, "vendor": "ACME"})"));
  EXPECT_EQ(decided.at("edit_diff"), json::parse(
      R"([{"path": "/amount", "op": "changed", "before": 7200, "after": 6500}])"));
  EXPECT_EQ(api().Get("/v1/runs/" + run_id).body.at("steps").at("pay").at("paid"), 6500);
  HttpReply audit = api().Get("/v1/audit?approval=" + approval_id);
  ASSERT_EQ(audit.status, 200u) << audit.raw;
  const json::value& entry = audit.body.at("entries").at(0);
  EXPECT_EQ(entry.at("action"), "approval.decided") << audit.raw;
  EXPECT_EQ(entry.at("edit_diff"), decided.at("edit_diff")) << audit.raw;
}

TEST_F(ApprovalEditsE2eTest, TheStreamAndTheCliApproveWithEdits) {
  auto [stream_run, stream_approval] = StartPayment();
  StreamClient stream(server_->port(), alice_, StreamClient::Auth::kHeader);
  ASSERT_TRUE(IsType(stream.Read(), "snapshot"));
  stream.Send({{"type", "decide"}, {"id", stream_approval}, {"decision", "approve"},
               {"edits", {{"amount", 7000}}}, {"req", 1}});
  json::value answer = stream.ReadUntil(
      [](const json::value& m) { return IsType(m, "error") || IsType(m, "ack"); });
  EXPECT_TRUE(IsType(answer, "ack")) << answer;
  EXPECT_EQ(AwaitRunStatus(stream_run, "completed").at("steps").at("pay").at("paid"), 7000);

  auto [cli_run, cli_approval] = StartPayment();
  std::vector<std::string> env = {
      "ASSENT_URL=http://127.0.0.1:" + std::to_string(server_->port()), "ASSENT_TOKEN=" + alice_};
  CommandResult bad = RunAssent({"approve", cli_approval, "--edit", "amount"}, env);
  EXPECT_NE(bad.exit_code, 0) << bad.output;
  EXPECT_THAT(bad.output, HasSubstr("--edit takes FIELD=VALUE"));
  CommandResult approved = RunAssent({"approve", cli_approval, "--edit", "amount=6900"}, env);
  EXPECT_EQ(approved.exit_code, 0) << approved.output;
  EXPECT_EQ(AwaitRunStatus(cli_run, "completed").at("steps").at("pay").at("paid"), 6900);
}

}  // namespace
}  // namespace assent::testing
