// JSON that Boost.JSON accepts but that cannot be stored and read back (numbers no double holds)
// or that can be read two ways (a key named twice), sent to the real server: refused with 400
// wherever JSON comes in, nothing stored, and the server restarts on its data dir.
#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

void ExpectRefused(const HttpReply& reply, const std::string& says) {
  EXPECT_EQ(reply.status, 400u) << reply.raw;
  ASSERT_TRUE(reply.body.is_object()) << "not a JSON error body: " << reply.raw;
  EXPECT_EQ(reply.body.at("error").at("code"), "invalid_json") << reply.raw;
  EXPECT_THAT(std::string(reply.body.at("error").at("message").as_string()), HasSubstr(says));
}

using HostileJsonTest = E2eTest;

TEST_F(HostileJsonTest, ADefinitionWithANumberNoDoubleHoldsIsRefusedAndRestartsStillWork) {
  ExpectRefused(api().Send("PUT", "/v1/workflows/inf",
                           R"({"name":"inf","steps":[{"id":"r","type":"approval","message":"m",)"
                           R"("show":{"x":1e400}}]})"),
                "\"1e400\", out of range");
  EXPECT_EQ(api().Get("/v1/workflows/inf").status, 404u);
  HttpReply listed = api().Get("/v1/workflows");
  ASSERT_EQ(listed.status, 200u);
  EXPECT_TRUE(listed.body.is_object()) << "the list must stay JSON: " << listed.raw;

  server_->Terminate();
  StartServer();
  EXPECT_EQ(api().Get("/v1/workflows/invoice-payment").status, 200u);
}

// The issue's case: answered 201 with the run's input silently {}.
TEST_F(HostileJsonTest, AnInputWithANumberNoDoubleHoldsIsRefusedNotEmptied) {
  ExpectRefused(api().Send("POST", "/v1/workflows/invoice-payment/runs",
                           R"({"input": {"x": 1e400, "z": 1, "n": "keep"}})"),
                "out of range");
  ExpectRefused(api().Send("POST", "/v1/workflows/invoice-payment/runs",
                           R"({"input": {"amount": -1E+999}})"),
                "out of range");
  HttpReply runs = api().Get("/v1/runs");
  ASSERT_EQ(runs.status, 200u) << runs.raw;
  EXPECT_TRUE(runs.body.at("runs").as_array().empty()) << runs.raw;

  // A tiny number is a number: it rounds to zero as in every JSON parser, and is kept.
  HttpReply tiny = api().Send("POST", "/v1/workflows/invoice-payment/runs?wait=30s",
                              R"({"input": {"amount": 1e-400, "vendor": "ACME", "n": "keep"}})");
  ASSERT_EQ(tiny.status, 201u) << tiny.raw;
  EXPECT_EQ(tiny.body.at("input"), json::parse(R"({"amount": 0.0, "vendor": "ACME", "n": "keep"})"))
      << tiny.raw;
}

TEST_F(HostileJsonTest, AKeyNamedTwiceIsRefusedOnEveryBody) {
  std::string run_id = StartInvoice(9000);
  json::value run = AwaitRunStatus(run_id, "waiting");
  std::string approval_id(run.at("pending_approvals").at(0).at("id").as_string());

  // Boost keeps the last key: this would have been recorded as an approval.
  ExpectRefused(api().Send("POST", "/v1/approvals/" + approval_id + "/decision",
                           R"({"decision":"reject","comment":"x","decision":"approve"})"),
                "has the key \"decision\" twice");
  ExpectRefused(api().Send("POST", "/v1/approvals/" + approval_id + "/comments",
                           R"({"text":"a","text":"b"})"),
                "\"text\" twice");
  ExpectRefused(api().Send("POST", "/v1/workflows/invoice-payment/runs",
                           R"({"input": {"amount": 1, "amount": 9000}})"),
                "\"amount\" twice");
  ExpectRefused(api().Send("PUT", "/v1/workflows/twice",
                           R"({"steps": [{"id": "a", "type": "code", "lua": "return 1",)"
                           R"( "id": "b"}]})"),
                "\"id\" twice");
  EXPECT_EQ(api().Get("/v1/approvals/" + approval_id).body.at("status"), "pending");
  EXPECT_EQ(api().Get("/v1/workflows/twice").status, 404u);
}

}  // namespace
}  // namespace assent::testing
