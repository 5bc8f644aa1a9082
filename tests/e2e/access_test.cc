// Per-workflow access with real users through the real server: over REST, the WebSocket and the
// CLI, each user sees and does exactly what the workflow's viewers, editors, starters and step
// approvers allow: 404 for what one may not see, 403 `forbidden` for what one may see but not
// do, service accounts never decide, and a step with "self_approval": false is not decided by
// whoever started the run. Every refused command is checked to record nothing.
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;

// Finance edits (and so decides) it, audit views it, the service account sam starts it.
constexpr const char* kAccessWorkflow = R"({"name": "access-check",
  "editors": ["group:finance"], "viewers": ["group:audit"], "starters": ["sam"], "steps": [
    {"id": "prep", "type": "code", "lua": "return {n = input.n}"},
    {"id": "review", "type": "approval", "message": "Proceed with {{steps.prep.n}}?"}
  ]})";

// Anyone may see it: a message every stream receives, so "saw nothing" is not a timeout guess.
constexpr const char* kPublicWorkflow = R"({"name": "public-board", "viewers": ["*"],
  "steps": [{"id": "review", "type": "approval", "message": "Anyone may look"}]})";

// Its approval is for finance, but not for whoever started the run.
constexpr const char* kExpensesWorkflow = R"({"name": "expenses", "editors": ["group:finance"],
  "steps": [{"id": "review", "type": "approval", "message": "Reimburse?",
             "approvers": ["group:finance"], "self_approval": false}]})";

bool IsType(const json::value& message, const char* type) {
  return message.is_object() && message.as_object().contains("type") &&
         message.at("type") == type;
}

// The run an approval.* stream message is about; "" for other messages.
std::string RunOf(const json::value& message) {
  if (!message.is_object()) return "";
  const json::value* approval = message.as_object().if_contains("approval");
  if (approval == nullptr || !approval->is_object()) return "";
  const json::value* run = approval->as_object().if_contains("run_id");
  return run != nullptr && run->is_string() ? std::string(run->as_string()) : "";
}

std::string ErrorCode(const HttpReply& reply) {
  if (!reply.body.is_object()) return "";
  const json::value* error = reply.body.as_object().if_contains("error");
  if (error == nullptr || !error->is_object() || !error->as_object().contains("code")) return "";
  return std::string(error->at("code").as_string());
}

class AccessE2eTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    if (HasFatalFailure()) return;
    alice_ = AddUser({{"id", "alice"}, {"groups", json::array{"finance"}}});
    victor_ = AddUser({{"id", "victor"}, {"groups", json::array{"audit"}}});
    sam_ = AddUser({{"id", "sam"}, {"service", true}});
    mallory_ = AddUser({{"id", "mallory"}, {"groups", json::array{"other"}}});
    ASSERT_FALSE(alice_.empty() || victor_.empty() || sam_.empty() || mallory_.empty());
    Apply("access-check", kAccessWorkflow);
  }

  // Adds a user over REST as the admin; returns the user's token.
  std::string AddUser(const json::object& user) {
    HttpReply reply = api().Post("/v1/users", user);
    EXPECT_EQ(reply.status, 201u) << reply.raw;
    if (!reply.body.is_object()) return "";
    const json::value* token = reply.body.as_object().if_contains("token");
    if (token == nullptr) return "";
    if (token->is_object()) return std::string(token->at("token").as_string());
    return std::string(token->as_string());
  }

  void Apply(const std::string& name, const char* definition) {
    HttpReply applied = api().Put("/v1/workflows/" + name, json::parse(definition));
    ASSERT_EQ(applied.status, 200u) << applied.raw;
  }

  ApiClient As(const std::string& token) { return ApiClient(server_->port(), token); }

  // Starts a run of `workflow` as the holder of `token`, expecting 201; its id.
  std::string StartAs(const std::string& token, const std::string& workflow, int n = 1) {
    HttpReply reply = As(token).Post("/v1/workflows/" + workflow + "/runs",
                                     json::object{{"input", {{"n", n}}}});
    EXPECT_EQ(reply.status, 201u) << "starting " << workflow << ": " << reply.raw;
    return reply.body.is_object() ? std::string(reply.body.at("run_id").as_string()) : "";
  }

  // Waits (bounded) for the run to wait for its approval; the approval's id.
  std::string PendingApproval(const std::string& run_id) {
    json::value run = AwaitRunStatus(run_id, "waiting");
    if (!run.is_object()) return "";
    return std::string(run.at("pending_approvals").at(0).at("id").as_string());
  }

  // The run's whole history, read as the admin.
  json::value Events(const std::string& run_id) {
    HttpReply reply = api().Get("/v1/runs/" + run_id + "/events");
    EXPECT_EQ(reply.status, 200u) << reply.raw;
    return reply.body;
  }

  // The CLI against this server as the holder of `token`.
  CommandResult Cli(const std::vector<std::string>& args, const std::string& token) {
    return RunAssent(args, {"ASSENT_URL=http://127.0.0.1:" + std::to_string(server_->port()),
                            "ASSENT_TOKEN=" + token});
  }

  std::string alice_, victor_, sam_, mallory_;
};

TEST_F(AccessE2eTest, RestShowsAndAllowsEachUserOnlyTheirShare) {
  std::string run_id = StartAs(sam_, "access-check");
  ASSERT_FALSE(run_id.empty());
  std::string approval_id = PendingApproval(run_id);
  ASSERT_FALSE(approval_id.empty());
  EXPECT_EQ(api().Get("/v1/runs/" + run_id).body.at("started_by"), "sam");

  // mallory may not see any of it: 404, and empty lists.
  ApiClient mallory = As(mallory_);
  for (const std::string& target :
       {"/v1/runs/" + run_id, "/v1/runs/" + run_id + "/events", "/v1/approvals/" + approval_id,
        std::string("/v1/workflows/access-check")}) {
    HttpReply reply = mallory.Get(target);
    EXPECT_EQ(reply.status, 404u) << "mallory GET " << target << ": " << reply.raw;
    EXPECT_EQ(ErrorCode(reply), "not_found") << reply.raw;
  }
  HttpReply runs = mallory.Get("/v1/runs");
  ASSERT_EQ(runs.status, 200u) << runs.raw;
  EXPECT_TRUE(runs.body.at("runs").as_array().empty()) << "mallory sees runs: " << runs.raw;
  HttpReply approvals = mallory.Get("/v1/approvals");
  ASSERT_EQ(approvals.status, 200u) << approvals.raw;
  EXPECT_TRUE(approvals.body.at("approvals").as_array().empty())
      << "mallory sees approvals: " << approvals.raw;
  HttpReply workflows = mallory.Get("/v1/workflows");
  ASSERT_EQ(workflows.status, 200u) << workflows.raw;
  EXPECT_EQ(workflows.raw.find("access-check"), std::string::npos)
      << "mallory sees the workflow listed: " << workflows.raw;

  // Refused decisions and comments record nothing.
  json::value before = Events(run_id);
  HttpReply hidden = mallory.Post("/v1/approvals/" + approval_id + "/decision",
                                  json::object{{"decision", "approve"}});
  EXPECT_EQ(hidden.status, 404u) << "mallory deciding: " << hidden.raw;
  HttpReply hidden_comment =
      mallory.Post("/v1/approvals/" + approval_id + "/comments", json::object{{"text", "hi"}});
  EXPECT_EQ(hidden_comment.status, 404u) << "mallory commenting: " << hidden_comment.raw;
  EXPECT_EQ(Events(run_id), before) << "a refusal of mallory's was recorded";

  // victor views: the run, its events, its approval, the lists; he may comment.
  ApiClient victor = As(victor_);
  for (const std::string& target :
       {"/v1/runs/" + run_id, "/v1/runs/" + run_id + "/events", "/v1/approvals/" + approval_id,
        std::string("/v1/workflows/access-check")}) {
    HttpReply reply = victor.Get(target);
    EXPECT_EQ(reply.status, 200u) << "victor GET " << target << ": " << reply.raw;
  }
  HttpReply victor_runs = victor.Get("/v1/runs");
  EXPECT_NE(victor_runs.raw.find(run_id), std::string::npos) << victor_runs.raw;
  HttpReply victor_approvals = victor.Get("/v1/approvals");
  EXPECT_NE(victor_approvals.raw.find(approval_id), std::string::npos) << victor_approvals.raw;
  HttpReply comment = victor.Post("/v1/approvals/" + approval_id + "/comments",
                                  json::object{{"text", "audit looked"}});
  EXPECT_EQ(comment.status, 201u) << "victor commenting: " << comment.raw;

  // ...but may not decide; nor may sam, a service account, though he started the run.
  before = Events(run_id);
  HttpReply by_victor = victor.Post("/v1/approvals/" + approval_id + "/decision",
                                    json::object{{"decision", "approve"}});
  EXPECT_EQ(by_victor.status, 403u) << "victor deciding: " << by_victor.raw;
  EXPECT_EQ(ErrorCode(by_victor), "forbidden") << by_victor.raw;
  HttpReply by_sam = As(sam_).Post("/v1/approvals/" + approval_id + "/decision",
                                   json::object{{"decision", "approve"}});
  EXPECT_EQ(by_sam.status, 403u) << "sam deciding: " << by_sam.raw;
  EXPECT_EQ(ErrorCode(by_sam), "forbidden") << by_sam.raw;
  EXPECT_EQ(Events(run_id), before) << "a refused decision was recorded";

  // alice, in finance, decides; the event says who and through which channel.
  HttpReply by_alice = As(alice_).Post("/v1/approvals/" + approval_id + "/decision",
                                       json::object{{"decision", "approve"}});
  ASSERT_EQ(by_alice.status, 200u) << "alice deciding: " << by_alice.raw;
  AwaitRunStatus(run_id, "completed");
  const json::object* decided = nullptr;
  json::value events = Events(run_id);
  for (const json::value& event : events.at("events").as_array()) {
    if (event.at("type") == "approval.decided") decided = &event.as_object();
  }
  ASSERT_NE(decided, nullptr) << json::serialize(events);
  EXPECT_EQ(decided->at("reviewer"), "alice") << json::serialize(*decided);
  EXPECT_EQ(decided->at("channel"), "rest") << json::serialize(*decided);
}

TEST_F(AccessE2eTest, TheStreamShowsEachUserOnlyWhatTheyMaySee) {
  Apply("public-board", kPublicWorkflow);
  StreamClient victor(server_->port(), victor_, StreamClient::Auth::kFirstMessage);
  StreamClient mallory(server_->port(), mallory_, StreamClient::Auth::kFirstMessage);
  json::value victor_snapshot = victor.Read();
  ASSERT_TRUE(IsType(victor_snapshot, "snapshot")) << victor_snapshot;
  json::value mallory_snapshot = mallory.Read();
  ASSERT_TRUE(IsType(mallory_snapshot, "snapshot")) << mallory_snapshot;

  std::string run_id = StartAs(sam_, "access-check");
  ASSERT_FALSE(run_id.empty());
  json::value requested = victor.ReadUntil([&](const json::value& message) {
    return IsType(message, "approval.requested") && RunOf(message) == run_id;
  });
  std::string approval_id(requested.at("approval").at("id").as_string());

  // A later message mallory may see; nothing of the hidden run may come before it.
  std::string public_run = StartAs(kToken, "public-board");
  ASSERT_FALSE(public_run.empty());
  std::vector<std::string> leaked;
  mallory.ReadUntil([&](const json::value& message) {
    if (RunOf(message) == run_id) leaked.push_back(json::serialize(message));
    return IsType(message, "approval.requested") && RunOf(message) == public_run;
  });
  EXPECT_TRUE(leaked.empty()) << "mallory was sent the hidden run's messages: "
                              << ::testing::PrintToString(leaked);

  // A decision from victor over the stream is refused, named by its req, and records nothing.
  json::value before = Events(run_id);
  victor.Send({{"type", "decide"}, {"id", approval_id}, {"decision", "approve"}, {"req", 7}});
  json::value answer = victor.ReadUntil(
      [](const json::value& message) { return IsType(message, "error") || IsType(message, "ack"); });
  ASSERT_TRUE(IsType(answer, "error")) << "victor's decision was accepted: " << answer;
  EXPECT_EQ(answer.at("req"), 7) << answer;
  EXPECT_EQ(answer.at("error").at("code"), "forbidden") << answer;
  EXPECT_EQ(Events(run_id), before) << "a refused stream decision was recorded";
  EXPECT_EQ(api().Get("/v1/approvals/" + approval_id).body.at("status"), "pending");
}

TEST_F(AccessE2eTest, TheCliAnswersAsItsUser) {
  std::string run_id = StartAs(sam_, "access-check");
  ASSERT_FALSE(run_id.empty());
  std::string approval_id = PendingApproval(run_id);
  ASSERT_FALSE(approval_id.empty());

  CommandResult alice_inbox = Cli({"approvals", "--mine"}, alice_);
  EXPECT_EQ(alice_inbox.exit_code, 0) << alice_inbox.output;
  EXPECT_NE(alice_inbox.output.find(approval_id), std::string::npos)
      << "alice's inbox misses " << approval_id << ":\n" << alice_inbox.output;
  CommandResult victor_inbox = Cli({"approvals", "--mine"}, victor_);
  EXPECT_EQ(victor_inbox.exit_code, 0) << victor_inbox.output;
  EXPECT_EQ(victor_inbox.output.find(approval_id), std::string::npos)
      << "victor, a viewer, has " << approval_id << " in his inbox:\n" << victor_inbox.output;

  json::value before = Events(run_id);
  CommandResult by_mallory = Cli({"approve", approval_id}, mallory_);
  EXPECT_NE(by_mallory.exit_code, 0) << by_mallory.output;
  EXPECT_NE(by_mallory.output.find("not_found"), std::string::npos) << by_mallory.output;
  EXPECT_EQ(Events(run_id), before) << "mallory's refused approve was recorded";

  CommandResult by_alice = Cli({"approve", approval_id}, alice_);
  EXPECT_EQ(by_alice.exit_code, 0) << by_alice.output;
  AwaitRunStatus(run_id, "completed");
  EXPECT_EQ(api().Get("/v1/approvals/" + approval_id).body.at("decisions").at(0).at("reviewer"),
            "alice");
}

TEST_F(AccessE2eTest, WhoStartedARunMayNotDecideItWhenSelfApprovalIsOff) {
  Apply("expenses", kExpensesWorkflow);
  std::string bob = AddUser({{"id", "bob"}, {"groups", json::array{"finance"}}});
  std::string run_id = StartAs(alice_, "expenses");
  ASSERT_FALSE(run_id.empty());
  std::string approval_id = PendingApproval(run_id);
  ASSERT_FALSE(approval_id.empty());

  json::value before = Events(run_id);
  HttpReply by_alice = As(alice_).Post("/v1/approvals/" + approval_id + "/decision",
                                       json::object{{"decision", "approve"}});
  EXPECT_EQ(by_alice.status, 403u) << "alice deciding her own run: " << by_alice.raw;
  EXPECT_EQ(ErrorCode(by_alice), "forbidden") << by_alice.raw;
  EXPECT_NE(by_alice.raw.find("self_approval"), std::string::npos) << by_alice.raw;
  EXPECT_EQ(Events(run_id), before) << "alice's refused decision was recorded";

  HttpReply by_bob = As(bob).Post("/v1/approvals/" + approval_id + "/decision",
                                  json::object{{"decision", "approve"}});
  ASSERT_EQ(by_bob.status, 200u) << "bob deciding: " << by_bob.raw;
  EXPECT_EQ(by_bob.body.at("decisions").at(0).at("reviewer"), "bob") << by_bob.raw;
  AwaitRunStatus(run_id, "completed");
}

}  // namespace
}  // namespace assent::testing
