// Approval quorums through the real server, with real users: two of three approvers must
// approve. A vote leaves the approval pending and streams "approval.voted" (whose can_decide is
// false for the voter only); the voter deciding again gets 409 over REST and a non-zero exit
// from the CLI, and records nothing; the inbox and the count leave the voter out; the second
// approval decides, streams "approval.decided" with who decided, and the run goes on.
#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

constexpr const char* kReleaseFlow = R"({"editors": ["alice", "bob", "carol"], "steps": [
  {"id": "review", "type": "approval", "message": "Release 4.2?", "quorum": 2},
  {"id": "release", "type": "code", "lua": "return {by = steps.review.reviewer, votes = #steps.review.votes}"}
]})";

std::string ErrorCode(const HttpReply& reply) {
  if (!reply.body.is_object() || !reply.body.as_object().contains("error")) return "";
  return std::string(reply.body.at("error").at("code").as_string());
}

class QuorumE2eTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    if (HasFatalFailure()) return;
    for (const char* id : {"alice", "bob", "carol"}) tokens_[id] = AddUser({{"id", id}});
    HttpReply applied = api().Put("/v1/workflows/release", json::parse(kReleaseFlow));
    ASSERT_EQ(applied.status, 200u) << applied.raw;
  }

  ApiClient As(const std::string& user) { return ApiClient(server_->port(), tokens_.at(user)); }
  CommandResult Cli(const std::vector<std::string>& args, const std::string& user) {
    return RunAssent(args, {"ASSENT_URL=http://127.0.0.1:" + std::to_string(server_->port()),
                            "ASSENT_TOKEN=" + tokens_.at(user)});
  }
  size_t CountFor(const std::string& user) {
    HttpReply count = As(user).Get("/v1/approvals/count?assignee=me");
    EXPECT_EQ(count.status, 200u) << count.raw;
    return count.status == 200 ? count.body.at("count").to_number<size_t>() : 0;
  }

  std::map<std::string, std::string> tokens_;
};

TEST_F(QuorumE2eTest, TwoOfThreeApproveEachOnceAndEveryoneSeesWhoDecided) {
  StreamClient alice_stream(server_->port(), tokens_.at("alice"), StreamClient::Auth::kHeader);
  StreamClient bob_stream(server_->port(), tokens_.at("bob"), StreamClient::Auth::kHeader);
  ASSERT_TRUE(IsType(alice_stream.Read(), "snapshot"));
  ASSERT_TRUE(IsType(bob_stream.Read(), "snapshot"));

  HttpReply started = api().Post("/v1/workflows/release/runs", json::object{});
  ASSERT_EQ(started.status, 201u) << started.raw;
  std::string run_id(started.body.at("run_id").as_string());
  json::value requested =
      bob_stream.ReadUntil([](const json::value& m) { return IsType(m, "approval.requested"); });
  std::string approval_id(requested.at("approval").at("id").as_string());
  EXPECT_EQ(requested.at("approval").at("quorum"), 2);
  EXPECT_EQ(CountFor("alice"), 1u);

  // alice's vote: the approval stays pending, and she may not decide it again.
  HttpReply vote = As("alice").Post("/v1/approvals/" + approval_id + "/decision",
                                    json::object{{"decision", "approve"}, {"comment", "ok"}});
  ASSERT_EQ(vote.status, 200u) << vote.raw;
  EXPECT_EQ(vote.body.at("status"), "pending");
  EXPECT_EQ(vote.body.at("decisions").as_array().size(), 1u);
  json::value voted_for_bob =
      bob_stream.ReadUntil([](const json::value& m) { return IsType(m, "approval.voted"); });
  EXPECT_EQ(voted_for_bob.at("approval").at("can_decide"), true);
  EXPECT_EQ(voted_for_bob.at("by"), "alice");
  json::value voted_for_alice =
      alice_stream.ReadUntil([](const json::value& m) { return IsType(m, "approval.voted"); });
  EXPECT_EQ(voted_for_alice.at("approval").at("can_decide"), false);
  EXPECT_EQ(CountFor("alice"), 0u);
  EXPECT_EQ(CountFor("bob"), 1u);
  HttpReply inbox = As("alice").Get("/v1/approvals?assignee=me");
  ASSERT_EQ(inbox.status, 200u) << inbox.raw;
  EXPECT_TRUE(inbox.body.at("approvals").as_array().empty()) << inbox.raw;

  size_t events_before = api().Get("/v1/runs/" + run_id + "/events").body.at("events").as_array().size();
  HttpReply twice = As("alice").Post("/v1/approvals/" + approval_id + "/decision",
                                     json::object{{"decision", "approve"}});
  EXPECT_EQ(twice.status, 409u) << twice.raw;
  EXPECT_EQ(ErrorCode(twice), "conflict") << twice.raw;
  EXPECT_THAT(twice.raw, HasSubstr("1 of 2 approvals so far"));
  CommandResult cli_twice = Cli({"approve", approval_id}, "alice");
  EXPECT_NE(cli_twice.exit_code, 0) << cli_twice.output;
  EXPECT_THAT(cli_twice.output, HasSubstr("'alice' has already decided"));
  EXPECT_EQ(api().Get("/v1/runs/" + run_id + "/events").body.at("events").as_array().size(),
            events_before);

  CommandResult listed = Cli({"approvals", "--status", "pending"}, "bob");
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_THAT(listed.output, HasSubstr("VOTES"));
  EXPECT_THAT(listed.output, HasSubstr(approval_id + "  pending  1/2"));

  // bob's approval reaches the quorum: it decides, and both reviewers hear who decided.
  CommandResult deciding = Cli({"approve", approval_id}, "bob");
  EXPECT_EQ(deciding.exit_code, 0) << deciding.output;
  for (StreamClient* stream : {&alice_stream, &bob_stream}) {
    json::value decided =
        stream->ReadUntil([](const json::value& m) { return IsType(m, "approval.decided"); });
    EXPECT_EQ(decided.at("by"), "bob");
    EXPECT_EQ(decided.at("approval").at("status"), "approved");
  }
  json::value run = AwaitRunStatus(run_id, "completed");
  EXPECT_EQ(run.at("steps").at("release").at("by"), "bob");
  EXPECT_EQ(run.at("steps").at("release").at("votes"), 2);
  EXPECT_EQ(CountFor("carol"), 0u);
}

TEST_F(QuorumE2eTest, AQuorumLargerThanTheListIsRefusedNamingTheStepAndField) {
  HttpReply refused = api().Put(
      "/v1/workflows/release",
      json::parse(R"({"steps": [{"id": "review", "type": "approval", "message": "ok?",
                                 "approvers": ["alice", "bob"], "quorum": 3}]})"));
  EXPECT_EQ(refused.status, 400u) << refused.raw;
  EXPECT_THAT(refused.raw, HasSubstr("step 'review': 'quorum' is 3, more than the 2 user(s)"));
  HttpReply versions = api().Get("/v1/workflows/release");
  ASSERT_EQ(versions.status, 200u) << versions.raw;
  EXPECT_EQ(versions.body.at("version"), 1);  // nothing stored
}

}  // namespace
}  // namespace assent::testing
