// Runs' timers through the real server. Approval timeouts: a reviewer's stream is told the
// approval timed out, the run takes its on_timeout path, the audit and the timeline say so, and
// a timer armed before a SIGKILL fires after the restart (timeouts are 1 s, the shortest a
// definition takes). Wait steps: a run sleeps through a SIGKILL and wakes once.
#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

constexpr const char* kDraftFlow = R"({"steps": [
  {"id": "draft", "type": "code", "lua": "return {text = 'Hello'}"},
  {"id": "review", "type": "approval", "message": "Send {{steps.draft.text}}?",
   "timeout": "1s", "on_timeout": "reject", "on_reject": "escalated"},
  {"id": "send", "type": "code", "lua": "return {sent = true}", "next": "end"},
  {"id": "escalated", "type": "code", "lua": "return {escalated = steps.review.timed_out}"}
]})";

class TimersE2eTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    HttpReply applied = api().Put("/v1/workflows/mail", json::parse(kDraftFlow));
    ASSERT_EQ(applied.status, 200u) << applied.raw;
  }

  std::string StartMail() {
    HttpReply started = api().Post("/v1/workflows/mail/runs", json::object{});
    EXPECT_EQ(started.status, 201u) << started.raw;
    return started.body.is_object() ? std::string(started.body.at("run_id").as_string()) : "";
  }
};

TEST_F(TimersE2eTest, ReviewersAreToldAndTheRunTakesItsOnTimeoutPath) {
  StreamClient reviewer(server_->port(), kToken, StreamClient::Auth::kHeader);
  ASSERT_TRUE(IsType(reviewer.Read(), "snapshot"));
  std::string run_id = StartMail();
  json::value requested =
      reviewer.ReadUntil([](const json::value& m) { return IsType(m, "approval.requested"); });
  EXPECT_TRUE(requested.at("approval").as_object().contains("due_at")) << json::serialize(requested);
  json::value timed_out =
      reviewer.ReadUntil([](const json::value& m) { return IsType(m, "approval.timed_out"); });
  EXPECT_EQ(timed_out.at("approval").at("status"), "timed_out");

  json::value run = AwaitRunStatus(run_id, "completed");
  EXPECT_EQ(run.at("steps").at("review").at("decision"), "reject");
  EXPECT_EQ(run.at("steps").at("escalated").at("escalated"), true);

  std::string approval_id(timed_out.at("approval").at("id").as_string());
  CommandResult listed = RunAssent({"approvals", "--status", "timed_out"}, CliEnv());
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_THAT(listed.output, HasSubstr("TIMES OUT"));
  EXPECT_THAT(listed.output, HasSubstr(approval_id + "  timed_out"));
  EXPECT_THAT(listed.output,
              HasSubstr(std::string(requested.at("approval").at("due_at").as_string())));
  HttpReply approval = api().Get("/v1/approvals/" + approval_id);
  ASSERT_EQ(approval.status, 200u) << approval.raw;
  EXPECT_EQ(approval.body.at("status"), "timed_out");
  // Too late to decide: the approval is closed.
  HttpReply late = api().Post("/v1/approvals/" + approval_id + "/decision",
                              json::object{{"decision", "approve"}});
  EXPECT_EQ(late.status, 409u) << late.raw;

  HttpReply events = api().Get("/v1/runs/" + run_id + "/events");
  ASSERT_EQ(events.status, 200u) << events.raw;
  bool seen = false;
  for (const json::value& event : events.body.at("events").as_array()) {
    if (event.at("type") == "approval.timed_out") {
      seen = true;
      EXPECT_EQ(event.at("action"), "reject");
    }
    if (event.at("type") == "approval.requested") {
      EXPECT_EQ(event.at("timeout"), "1s");
    }
  }
  EXPECT_TRUE(seen) << events.raw;

  HttpReply audit = api().Get("/v1/audit?workflow=mail");
  ASSERT_EQ(audit.status, 200u) << audit.raw;
  EXPECT_THAT(audit.raw, HasSubstr("approval.timed_out"));
}

TEST_F(TimersE2eTest, ATimerArmedBeforeASigkillFiresAfterTheRestart) {
  std::string run_id = StartMail();
  AwaitRunStatus(run_id, "waiting");
  server_->Kill();
  StartServer();
  json::value run = AwaitRunStatus(run_id, "completed");
  EXPECT_EQ(run.at("steps").at("escalated").at("escalated"), true);
  HttpReply events = api().Get("/v1/runs/" + run_id + "/events");
  ASSERT_EQ(events.status, 200u) << events.raw;
  size_t timeouts = 0;
  for (const json::value& event : events.body.at("events").as_array()) {
    timeouts += event.at("type") == "approval.timed_out";
  }
  EXPECT_EQ(timeouts, 1u);
}

// A SIGKILL while timers are firing: every approval still times out exactly once after the
// restart, each run completes once, and `assent verify` finds the index and the log agree.
TEST_F(TimersE2eTest, ManyTimersFiringThroughASigkillEachFireOnce) {
  constexpr int kRuns = 200;
  std::vector<std::string> runs;
  for (int i = 0; i < kRuns; ++i) runs.push_back(StartMail());
  // Kill once the first timeouts have been recorded: the rest are due, firing or about to.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    HttpReply done = api().Get("/v1/runs?workflow=mail&status=completed&limit=1");
    ASSERT_EQ(done.status, 200u) << done.raw;
    if (!done.body.at("runs").as_array().empty()) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "no timeout fired within 30 s";
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval, not a sync
  }
  server_->Kill();
  StartServer();
  for (const std::string& run_id : runs) {
    AwaitRunStatus(run_id, "completed");
    HttpReply events = api().Get("/v1/runs/" + run_id + "/events");
    ASSERT_EQ(events.status, 200u) << events.raw;
    size_t timeouts = 0, reviews = 0;
    for (const json::value& event : events.body.at("events").as_array()) {
      timeouts += event.at("type") == "approval.timed_out";
      reviews += event.at("type") == "step.completed" && event.at("step_id") == "review";
    }
    EXPECT_EQ(timeouts, 1u) << run_id << ": " << events.raw;
    EXPECT_EQ(reviews, 1u) << run_id;
  }
  ASSERT_EQ(server_->Terminate(), 0);
  CommandResult verified = RunAssent({"verify", "--data", data_.str()});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_THAT(verified.output, HasSubstr("no problems"));
}

TEST_F(TimersE2eTest, ABadTimeoutIsRefusedNamingTheStepAndField) {
  HttpReply refused = api().Put(
      "/v1/workflows/bad",
      json::parse(R"({"steps": [{"id": "ok", "type": "approval", "message": "m", "timeout": "soon"}]})"));
  EXPECT_EQ(refused.status, 400u) << refused.raw;
  EXPECT_THAT(refused.raw, HasSubstr("step 'ok': 'timeout': \\\"soon\\\" is not a duration"));
}

TEST_F(TimersE2eTest, AWaitStepSleepsThroughASigkillAndWakesOnce) {
  HttpReply applied = api().Put("/v1/workflows/nap", json::parse(R"({"steps": [
    {"id": "pause", "type": "wait", "for": "1s"},
    {"id": "after", "type": "code", "lua": "return {woke = steps.pause.woke_at}"}]})"));
  ASSERT_EQ(applied.status, 200u) << applied.raw;
  HttpReply started = api().Post("/v1/workflows/nap/runs", json::object{});
  ASSERT_EQ(started.status, 201u) << started.raw;
  std::string run_id(started.body.at("run_id").as_string());
  server_->Kill();
  StartServer();
  json::value run = AwaitRunStatus(run_id, "completed");
  EXPECT_TRUE(run.at("steps").at("pause").as_object().contains("woke_at")) << json::serialize(run);
  HttpReply events = api().Get("/v1/runs/" + run_id + "/events");
  ASSERT_EQ(events.status, 200u) << events.raw;
  size_t starts = 0;
  for (const json::value& event : events.body.at("events").as_array()) {
    if (event.at("type") == "step.started") {
      ++starts;
      EXPECT_EQ(event.at("wake_at"), run.at("steps").at("pause").at("woke_at"));
    }
  }
  EXPECT_EQ(starts, 1u) << "the restart started the wait again: " << events.raw;
}

}  // namespace
}  // namespace assent::testing
