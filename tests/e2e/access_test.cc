// Per-workflow access with real users through the real server: over REST, the WebSocket and the
// CLI, each user sees and does exactly what the workflow's viewers, editors, starters and step
// approvers allow: 404 for what one may not see, 403 `forbidden` for what one may see but not
// do, service accounts never decide, and a step with "self_approval": false is not decided by
// whoever started the run. Every refused command is checked to record nothing.
#include <algorithm>
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

// What the dashboard's approval page shows under "who may decide", and whether its buttons are
// live: the same rules as a decision, per caller, on one approval and on list pages.
TEST_F(AccessE2eTest, ApprovalsSayWhoMayDecideAndWhetherTheCallerMayNow) {
  Apply("expenses", kExpensesWorkflow);
  std::string fiona = AddUser({{"id", "fiona"}, {"groups", json::array{"finance"}}});
  std::string own = PendingApproval(StartAs(alice_, "expenses"));
  std::string checked = PendingApproval(StartAs(sam_, "access-check"));
  ASSERT_FALSE(own.empty() || checked.empty());

  auto read = [&](const std::string& token, const std::string& approval_id) {
    HttpReply reply = As(token).Get("/v1/approvals/" + approval_id);
    EXPECT_EQ(reply.status, 200u) << reply.raw;
    return reply.body;
  };
  json::value alices_own = read(alice_, own);
  EXPECT_EQ(json::serialize(alices_own.at("approvers")), R"(["group:finance"])");
  EXPECT_EQ(alices_own.at("can_decide"), false) << "self_approval: false; she started it";
  EXPECT_EQ(alices_own.at("started_by"), "alice");
  EXPECT_EQ(read(fiona, own).at("can_decide"), true);
  EXPECT_EQ(read(alice_, checked).at("can_decide"), true) << "an editor of access-check";
  EXPECT_EQ(read(victor_, checked).at("can_decide"), false) << "a viewer";
  EXPECT_EQ(json::serialize(read(victor_, checked).at("approvers")), R"(["group:finance"])");
  EXPECT_EQ(read(kToken, own).at("can_decide"), true) << "admins may, having started nothing";

  // A page of the inbox carries the same fields for each approval.
  HttpReply inbox = As(fiona).Get("/v1/approvals?assignee=me");
  ASSERT_EQ(inbox.status, 200u) << inbox.raw;
  ASSERT_EQ(inbox.body.at("approvals").as_array().size(), 2u) << inbox.raw;
  for (const json::value& approval : inbox.body.at("approvals").as_array()) {
    EXPECT_EQ(approval.at("can_decide"), true) << approval;
    EXPECT_EQ(json::serialize(approval.at("approvers")), R"(["group:finance"])");
  }

  // Decided, nobody may any more, and the decision's answer says so at once.
  HttpReply decided = As(fiona).Post("/v1/approvals/" + own + "/decision",
                                     json::object{{"decision", "approve"}});
  ASSERT_EQ(decided.status, 200u) << decided.raw;
  EXPECT_EQ(decided.body.at("can_decide"), false) << decided.raw;
  EXPECT_EQ(read(kToken, own).at("can_decide"), false);
}

// ?q=: a case-insensitive match in the message, the workflow's name and the shown values,
// with the other filters and cursor paging; only what the caller may see.
TEST_F(AccessE2eTest, ApprovalsAreSearchedByText) {
  std::string first = PendingApproval(StartAs(sam_, "access-check", 424242));
  std::string second = PendingApproval(StartAs(sam_, "access-check", 17));
  ASSERT_FALSE(first.empty() || second.empty());
  auto ids = [&](const std::string& token, const std::string& query) {
    std::vector<std::string> found;
    std::string after;
    for (int page = 0; page < 10; ++page) {
      HttpReply reply = As(token).Get("/v1/approvals?" + query + after);
      EXPECT_EQ(reply.status, 200u) << query << ": " << reply.raw;
      if (reply.status != 200u) break;
      for (const json::value& approval : reply.body.at("approvals").as_array()) {
        found.emplace_back(approval.at("id").as_string());
      }
      const json::value* next = reply.body.as_object().if_contains("next");
      if (next == nullptr) break;
      after = "&after=" + std::string(next->as_string());
    }
    return found;
  };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(ids(alice_, "q=424242"), Ids{first});
  EXPECT_EQ(ids(alice_, "q=PROCEED%20WITH%2017"), Ids{second}) << "the message, any case";
  EXPECT_EQ(ids(alice_, "q=Access-CHECK&limit=1"), (Ids{std::max(first, second),
                                                         std::min(first, second)}))
      << "the workflow's name, one per page";
  EXPECT_EQ(ids(alice_, "q=424242&status=approved"), Ids{});
  EXPECT_EQ(ids(alice_, "q=424242&assignee=me&workflow=access-check"), Ids{first});
  EXPECT_EQ(ids(mallory_, "q=424242"), Ids{}) << "mallory may not see it";
  HttpReply too_long = As(alice_).Get("/v1/approvals?q=" + std::string(257, 'a'));
  EXPECT_EQ(too_long.status, 400u) << too_long.raw;
  EXPECT_EQ(ErrorCode(too_long), "invalid_argument") << too_long.raw;
}

// The tab title's number: as many as the caller's inbox lists, kept through decisions, cancels
// and a restart of the server.
TEST_F(AccessE2eTest, TheCountIsTheCallersInboxSize) {
  std::vector<std::string> runs;
  for (int n = 0; n < 3; ++n) runs.push_back(StartAs(sam_, "access-check", n));
  std::vector<std::string> approvals;
  for (const std::string& run_id : runs) approvals.push_back(PendingApproval(run_id));
  auto count = [&](const std::string& token) {
    HttpReply reply = As(token).Get("/v1/approvals/count?status=pending&assignee=me");
    EXPECT_EQ(reply.status, 200u) << reply.raw;
    return reply.status == 200u ? reply.body.at("count").as_int64() : -1;
  };
  auto inbox = [&](const std::string& token) {
    HttpReply reply = As(token).Get("/v1/approvals?assignee=me");
    return static_cast<int64_t>(reply.body.at("approvals").as_array().size());
  };
  EXPECT_EQ(count(alice_), 3);
  EXPECT_EQ(count(victor_), 0) << "a viewer decides nothing";
  EXPECT_EQ(count(mallory_), 0);
  EXPECT_EQ(count(kToken), 3);
  ASSERT_EQ(As(alice_).Post("/v1/approvals/" + approvals[0] + "/decision",
                            json::object{{"decision", "approve"}}).status, 200u);
  ASSERT_EQ(As(alice_).Post("/v1/runs/" + runs[1] + "/cancel", json::object{}).status, 200u);
  EXPECT_EQ(count(alice_), 1);
  EXPECT_EQ(count(alice_), inbox(alice_));

  server_->Kill();
  StartServer();
  EXPECT_EQ(count(alice_), 1) << "rebuilt from the approvals index at start";
  ASSERT_FALSE(PendingApproval(StartAs(sam_, "access-check", 9)).empty());
  EXPECT_EQ(count(alice_), 2);
  EXPECT_EQ(count(alice_), inbox(alice_));
  HttpReply refused = As(alice_).Get("/v1/approvals/count?status=approved&assignee=me");
  EXPECT_EQ(refused.status, 400u) << refused.raw;
  EXPECT_EQ(ErrorCode(refused), "invalid_argument") << refused.raw;
}

// A live page knows from the stream's messages whether a new approval is for its reviewer, and
// shows "decided by alice" and "cancelled by alice".
TEST_F(AccessE2eTest, StreamMessagesSayWhoMayDecideWhoDecidedAndWhoCancelled) {
  StreamClient victor(server_->port(), victor_, StreamClient::Auth::kFirstMessage);
  StreamClient alice(server_->port(), alice_, StreamClient::Auth::kFirstMessage);
  ASSERT_TRUE(IsType(victor.Read(), "snapshot"));
  ASSERT_TRUE(IsType(alice.Read(), "snapshot"));
  std::string decided_run = StartAs(sam_, "access-check", 1);
  std::string cancelled_run = StartAs(sam_, "access-check", 2);
  std::string approval_id = PendingApproval(decided_run);
  PendingApproval(cancelled_run);
  auto requested = [&](StreamClient& stream) {
    return stream.ReadUntil([&](const json::value& message) {
      return IsType(message, "approval.requested") && RunOf(message) == decided_run;
    });
  };
  json::value for_alice = requested(alice);
  EXPECT_EQ(for_alice.at("approval").at("can_decide"), true) << for_alice;
  EXPECT_EQ(json::serialize(for_alice.at("approval").at("approvers")), R"(["group:finance"])");
  json::value for_victor = requested(victor);
  EXPECT_EQ(for_victor.at("approval").at("can_decide"), false) << for_victor;
  StreamClient late(server_->port(), alice_, StreamClient::Auth::kFirstMessage);
  json::value snapshot = late.Read();
  ASSERT_TRUE(IsType(snapshot, "snapshot")) << snapshot;
  for (const json::value& approval : snapshot.at("pending").as_array()) {
    EXPECT_EQ(approval.at("can_decide"), true) << approval;
  }

  ASSERT_EQ(As(alice_).Post("/v1/approvals/" + approval_id + "/decision",
                            json::object{{"decision", "approve"}}).status, 200u);
  ASSERT_EQ(As(alice_).Post("/v1/runs/" + cancelled_run + "/cancel",
                            json::object{{"reason", "duplicate"}}).status, 200u);

  json::value decided = victor.ReadUntil([&](const json::value& message) {
    return IsType(message, "approval.decided") && RunOf(message) == decided_run;
  });
  EXPECT_EQ(decided.at("by"), "alice") << decided;
  EXPECT_EQ(decided.at("approval").at("can_decide"), false) << decided;
  EXPECT_EQ(decided.at("approval").at("decisions").at(0).at("reviewer"), "alice") << decided;
  json::value cancelled = victor.ReadUntil([&](const json::value& message) {
    return IsType(message, "approval.cancelled") && RunOf(message) == cancelled_run;
  });
  EXPECT_EQ(cancelled.at("by"), "alice") << cancelled;
  EXPECT_EQ(cancelled.at("approval").at("status"), "cancelled") << cancelled;

  // The run's timeline names who did each thing too.
  json::value events = Events(cancelled_run).at("events");
  EXPECT_EQ(events.at(0).at("started_by"), "sam") << events;
  EXPECT_EQ(events.as_array().back().at("by"), "alice") << events;
}

}  // namespace
}  // namespace assent::testing
