// An escalation ladder through the real server, on its real clock: after 1 s undecided the
// approvers are reminded; after 2 s the approval escalates to lena, whose stream gets it as hers
// to decide while alice may decide it no more; a SIGKILL then, and after the restart the
// escalated timeout runs out once and on_timeout approves. Every rung and reminder is in the
// run's events exactly once, in the audit where someone's access changed, and `assent verify`
// finds the timers index and the log agree.
#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

constexpr const char* kPayFlow = R"({"editors": ["alice", "lena"], "steps": [
  {"id": "review", "type": "approval", "message": "Pay 9000?", "approvers": ["alice"],
   "timeout": "2s", "remind_after": "1s", "escalate": {"approvers": ["lena"], "timeout": "1s"},
   "on_timeout": "approve"},
  {"id": "pay", "type": "code", "lua": "return {paid = steps.review.timed_out}"}
]})";

class EscalationE2eTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    if (HasFatalFailure()) return;
    for (const char* id : {"alice", "lena"}) tokens_[id] = AddUser({{"id", id}});
    HttpReply applied = api().Put("/v1/workflows/pay", json::parse(kPayFlow));
    ASSERT_EQ(applied.status, 200u) << applied.raw;
  }

  std::map<std::string, std::string> tokens_;
};

TEST_F(EscalationE2eTest, RemindedThenEscalatedThenTimedOutOnceThroughASigkill) {
  StreamClient lena(server_->port(), tokens_.at("lena"), StreamClient::Auth::kHeader);
  ASSERT_TRUE(IsType(lena.Read(), "snapshot"));
  HttpReply started = api().Post("/v1/workflows/pay/runs", json::object{});
  ASSERT_EQ(started.status, 201u) << started.raw;
  std::string run_id(started.body.at("run_id").as_string());

  json::value requested =
      lena.ReadUntil([](const json::value& m) { return IsType(m, "approval.requested"); });
  EXPECT_EQ(requested.at("approval").at("can_decide"), false);
  std::string approval_id(requested.at("approval").at("id").as_string());
  lena.ReadUntil([](const json::value& m) { return IsType(m, "approval.reminded"); });
  json::value escalated =
      lena.ReadUntil([](const json::value& m) { return IsType(m, "approval.escalated"); });
  EXPECT_EQ(escalated.at("approval").at("can_decide"), true);
  EXPECT_EQ(escalated.at("approval").at("escalated"), 1);
  EXPECT_EQ(escalated.at("approval").at("approvers"), json::array{"lena"});

  HttpReply refused = ApiClient(server_->port(), tokens_.at("alice"))
                          .Post("/v1/approvals/" + approval_id + "/decision",
                                json::object{{"decision", "approve"}});
  EXPECT_EQ(refused.status, 403u) << refused.raw;
  EXPECT_THAT(refused.raw, HasSubstr("only its escalation's approvers may"));

  server_->Kill();
  StartServer();
  json::value run = AwaitRunStatus(run_id, "completed");
  EXPECT_EQ(run.at("steps").at("pay").at("paid"), true);

  HttpReply events = api().Get("/v1/runs/" + run_id + "/events");
  ASSERT_EQ(events.status, 200u) << events.raw;
  std::map<std::string, int> seen;
  for (const json::value& event : events.body.at("events").as_array()) {
    ++seen[std::string(event.at("type").as_string())];
  }
  EXPECT_EQ(seen["approval.reminded"], 1);
  EXPECT_EQ(seen["approval.escalated"], 1);
  EXPECT_EQ(seen["approval.timed_out"], 1);
  EXPECT_EQ(seen["approval.decided"], 0);

  HttpReply audit = api().Get("/v1/audit?approval=" + approval_id);
  ASSERT_EQ(audit.status, 200u) << audit.raw;
  EXPECT_THAT(audit.raw, HasSubstr("approval.escalated"));
  EXPECT_THAT(audit.raw, HasSubstr("approval.timed_out"));

  ASSERT_EQ(server_->Terminate(), 0);
  CommandResult verified = RunAssent({"verify", "--data", data_.str()});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_THAT(verified.output, HasSubstr("no problems"));
}

}  // namespace
}  // namespace assent::testing
