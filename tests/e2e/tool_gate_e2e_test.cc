// Tool-level gates through the real server: an http step with `require_approval` shows its
// request over REST with the credentials masked, waits through a SIGKILL, and after the approval
// (with an edited body) calls the target once with the real credentials; a rejection with
// feedback follows on_reject; a decision the gate refuses answers 400 and records nothing.
#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

class ToolGateE2eTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    if (HasFatalFailure()) return;
    alice_ = AddUser({{"id", "alice"}});
    HttpReply applied = api().Put("/v1/workflows/purge", json::parse(R"({"editors": ["alice"],
      "steps": [
      {"id": "delete", "type": "http", "method": "POST", "url": ")" + crm_.url("/deletions") + R"(",
       "headers": {"Authorization": "Bearer {{input.token}}"},
       "body": {"ids": "{{input.ids}}"},
       "require_approval": {"when": "#request.body.ids > 1", "edits": ["body"],
                            "show": {"reason": "{{input.reason}}"}},
       "on_reject": "explain"},
      {"id": "done", "type": "code", "lua": "return {deleted = steps.delete.deleted}",
       "next": "end"},
      {"id": "explain", "type": "code", "lua": "return {feedback = steps.delete.comment}"}]})"));
    ASSERT_EQ(applied.status, 200u) << applied.raw;
  }

  ApiClient Alice() { return ApiClient(server_->port(), alice_); }

  // A purge of `ids`: {run id, its pending approval's id, or "" when it did not wait}.
  std::pair<std::string, std::string> StartPurge(const std::string& ids) {
    HttpReply started = api().Post("/v1/workflows/purge/runs", json::parse(
        R"({"input": {"token": "tok-9", "reason": "GDPR request", "ids": )" + ids + "}}"));
    EXPECT_EQ(started.status, 201u) << started.raw;
    std::string run_id(started.body.at("run_id").as_string());
    HttpReply run = api().Get("/v1/runs/" + run_id);
    const json::array& pending = run.body.at("pending_approvals").as_array();
    return {run_id, pending.empty() ? "" : std::string(pending[0].at("id").as_string())};
  }

  std::string alice_;
  HttpTarget crm_{[](const ReceivedRequest& request, size_t) {
    size_t ids = json::parse(request.body).at("ids").as_array().size();
    return TargetResponse{200, R"({"deleted": )" + std::to_string(ids) + "}"};
  }};
};

TEST_F(ToolGateE2eTest, TheRequestIsShownMaskedAndSentOnceAsApprovedAcrossASigkill) {
  auto [run_id, approval_id] = StartPurge(R"(["c1", "c2", "c3"])");
  ASSERT_FALSE(approval_id.empty()) << "three ids: the gate asks";
  HttpReply approval = Alice().Get("/v1/approvals/" + approval_id);
  ASSERT_EQ(approval.status, 200u) << approval.raw;
  const json::value& show = approval.body.at("show");
  EXPECT_EQ(show.at("method"), "POST");
  EXPECT_EQ(show.at("url").as_string(), crm_.url("/deletions"));
  EXPECT_EQ(show.at("headers").at("Authorization"), "***");
  EXPECT_EQ(show.at("body"), json::parse(R"({"ids": ["c1", "c2", "c3"]})"));
  EXPECT_EQ(show.at("reason"), "GDPR request");
  EXPECT_THAT(approval.raw, ::testing::Not(HasSubstr("tok-9")));
  EXPECT_TRUE(crm_.requests().empty());

  server_->Kill();  // SIGKILL with the gate pending
  StartServer();
  std::string decide = "/v1/approvals/" + approval_id + "/decision";
  HttpReply url_edit = Alice().Post(
      decide, json::parse(R"({"decision": "approve", "edits": {"url": "http://evil/"}})"));
  EXPECT_EQ(url_edit.status, 400u) << url_edit.raw;
  EXPECT_THAT(url_edit.raw, HasSubstr("body"));
  HttpReply approved = Alice().Post(decide, json::parse(
      R"({"decision": "approve", "comment": "only c1", "edits": {"body": {"ids": ["c1"]}}})"));
  ASSERT_EQ(approved.status, 200u) << approved.raw;
  json::value run = AwaitRunStatus(run_id, "completed");
  EXPECT_EQ(run.at("output").at("deleted"), 1);
  server_->Kill();
  StartServer();
  EXPECT_EQ(api().Get("/v1/runs/" + run_id).body.at("status"), "completed");
  ASSERT_EQ(crm_.requests().size(), 1u) << "the approved call, once";
  EXPECT_EQ(crm_.requests()[0].headers.at("authorization"), "Bearer tok-9");
  EXPECT_EQ(json::parse(crm_.requests()[0].body), json::parse(R"({"ids": ["c1"]})"));
}

TEST_F(ToolGateE2eTest, AConditionThatDoesNotHoldCallsAtOnceAndARejectionFeedsBack) {
  auto [single, no_approval] = StartPurge(R"(["c9"])");
  EXPECT_EQ(no_approval, "") << "one id: under the gate's condition";
  EXPECT_EQ(AwaitRunStatus(single, "completed").at("output").at("deleted"), 1);

  auto [run_id, approval_id] = StartPurge(R"(["c1", "c2"])");
  HttpReply rejected = Alice().Post("/v1/approvals/" + approval_id + "/decision",
                                    json::parse(R"({"decision": "reject", "comment": "not c2"})"));
  ASSERT_EQ(rejected.status, 200u) << rejected.raw;
  EXPECT_EQ(AwaitRunStatus(run_id, "completed").at("output").at("feedback"), "not c2");
  EXPECT_EQ(crm_.requests().size(), 1u) << "only the single id's call";
}

}  // namespace
}  // namespace assent::testing
