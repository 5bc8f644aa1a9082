// Waiting for a run's result through the real server: a start that answers with the finished
// run, a start whose wait runs out, a long poll answered by a decision, and `assent start --wait`.
#include <chrono>
#include <future>

#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

TEST_F(E2eTest, StartWithWaitAnswersWithTheFinishedRunAndItsOutput) {
  HttpReply reply = PostInvoice(120, "ACME", "?wait=10s");
  ASSERT_EQ(reply.status, 201u) << reply.raw;
  EXPECT_EQ(reply.body.at("status"), "completed") << reply.raw;
  EXPECT_EQ(reply.body.at("output").at("approved_by"), "auto") << reply.raw;
  EXPECT_EQ(reply.body.at("output").at("payment").at("payment_id"), "pay-0") << reply.raw;
  EXPECT_EQ(payee_.requests().size(), 1u);
}

TEST_F(E2eTest, LongPollIsAnsweredByTheDecision) {
  // The run cannot finish without a decision, so this wait runs out, with the run waiting. It is
  // long enough for the run to reach its approval on a loaded machine.
  HttpReply started = PostInvoice(7200, "ACME", "?wait=2s");
  ASSERT_EQ(started.status, 201u) << started.raw;
  ASSERT_EQ(started.body.at("status"), "waiting") << started.raw;
  std::string run_id(started.body.at("run_id").as_string());
  std::string approval_id(started.body.at("pending_approvals").at(0).at("id").as_string());

  // The long poll, on a connection of its own (ApiClient blocks until the answer). Its wait is
  // the longest the server allows, twice the patience below: only the decision answers it in
  // time. Whether it reaches the engine before the decision or just after, the answer is the
  // completed run; the engine's tests pin the order.
  ApiClient poller(server_->port(), kToken);
  std::future<HttpReply> poll = std::async(std::launch::async, [&] {
    return poller.Get("/v1/runs/" + run_id + "?wait=60s");
  });
  HttpReply approved = api().Post("/v1/approvals/" + approval_id + "/decision",
                                  json::object{{"decision", "approve"}});
  ASSERT_EQ(approved.status, 200u) << approved.raw;

  ASSERT_EQ(poll.wait_for(std::chrono::seconds(30)), std::future_status::ready)
      << "the decision did not answer the long poll";
  HttpReply run = poll.get();
  ASSERT_EQ(run.status, 200u) << run.raw;
  EXPECT_EQ(run.body.at("status"), "completed") << run.raw;
  EXPECT_EQ(run.body.at("output").at("approved_by"), "admin") << run.raw;
}

TEST_F(E2eTest, CliStartWithWaitPrintsTheFinishedRun) {
  CommandResult started = RunAssent({"start", "invoice-payment", "--input",
                                     R"({"amount": 120, "vendor": "ACME"})", "--wait", "10s"},
                                    CliEnv());
  EXPECT_EQ(started.exit_code, 0) << started.output;
  EXPECT_THAT(started.output, HasSubstr("started run run_"));
  EXPECT_THAT(started.output, HasSubstr("status: completed\n"));
  EXPECT_THAT(started.output, HasSubstr(R"("approved_by":"auto")"));
}

TEST_F(E2eTest, CliStartWithWaitExitsWithHowTheRunEnded) {
  auto start = [&](const std::string& workflow, const std::string& wait) {
    return RunAssent({"start", workflow, "--input", R"({"amount": 9000, "vendor": "ACME"})",
                      "--wait", wait},
                     CliEnv());
  };
  // Still waiting for its approval when the wait runs out.
  CommandResult unfinished = start("invoice-payment", "200ms");
  EXPECT_EQ(unfinished.exit_code, 4) << unfinished.output;
  EXPECT_THAT(unfinished.output, HasSubstr("status: waiting"));

  HttpReply applied = api().Put("/v1/workflows/broken", json::parse(R"json({"steps": [
    {"id": "boom", "type": "code", "lua": "error('no such vendor')"}]})json"));
  ASSERT_EQ(applied.status, 200u) << applied.raw;
  CommandResult failed = start("broken", "10s");
  EXPECT_EQ(failed.exit_code, 3) << failed.output;
  EXPECT_THAT(failed.output, HasSubstr("no such vendor"));
}

}  // namespace
}  // namespace assent::testing
