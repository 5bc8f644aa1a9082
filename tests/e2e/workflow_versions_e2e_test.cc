// A workflow's versions and lifecycle through the real server and the CLI: versions listed
// newest first, the diff between two (steps matched by id), a disabled workflow refusing starts
// with 422 `failed_precondition` (and the CLI a non-zero exit) while its waiting run finishes,
// enabling it again, and the versions surviving a SIGKILL.
#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

class WorkflowVersionsE2eTest : public E2eTest {
 protected:
  void Apply(const char* timeout) {
    HttpReply applied = api().Put(
        "/v1/workflows/ship",
        json::parse(std::string(R"({"steps": [
          {"id": "review", "type": "approval", "message": "Ship?", "timeout": ")") + timeout +
                    R"("},
          {"id": "done", "type": "code", "lua": "return 1"}]})"));
    ASSERT_EQ(applied.status, 200u) << applied.raw;
  }
};

TEST_F(WorkflowVersionsE2eTest, VersionsDiffDisableAndEnable) {
  Apply("1h");
  Apply("24h");
  HttpReply versions = api().Get("/v1/workflows/ship/versions");
  ASSERT_EQ(versions.status, 200u) << versions.raw;
  ASSERT_EQ(versions.body.at("versions").as_array().size(), 2u);
  EXPECT_EQ(versions.body.at("versions").at(0).at("version"), 2);

  HttpReply diff = api().Get("/v1/workflows/ship/diff");
  ASSERT_EQ(diff.status, 200u) << diff.raw;
  EXPECT_EQ(json::serialize(diff.body.at("changes")),
            R"([{"path":"/steps/review/timeout","op":"changed","before":"1h","after":"24h"}])");
  EXPECT_EQ(api().Get("/v1/workflows/ship/diff?from=0").status, 400u);
  HttpReply missing = api().Get("/v1/workflows/ship/diff?from=1&to=9");
  EXPECT_EQ(missing.status, 404u) << missing.raw;
  EXPECT_THAT(missing.raw, HasSubstr("has no version 9 (its latest is 2)"));

  CommandResult diffed = RunAssent({"diff", "ship", "1", "2"}, CliEnv());
  EXPECT_EQ(diffed.exit_code, 0) << diffed.output;
  EXPECT_THAT(diffed.output, HasSubstr("~ /steps/review/timeout: \"1h\" -> \"24h\""));

  HttpReply started = api().Post("/v1/workflows/ship/runs", json::object{});
  ASSERT_EQ(started.status, 201u) << started.raw;
  std::string run_id(started.body.at("run_id").as_string());
  std::string approval_id(AwaitRunStatus(run_id, "waiting")
                              .at("pending_approvals").at(0).at("id").as_string());

  CommandResult disabled = RunAssent({"disable", "ship"}, CliEnv());
  EXPECT_EQ(disabled.exit_code, 0) << disabled.output;
  EXPECT_THAT(disabled.output, HasSubstr("workflow ship is disabled (version 3)"));
  HttpReply refused = api().Post("/v1/workflows/ship/runs", json::object{});
  EXPECT_EQ(refused.status, 422u) << refused.raw;
  EXPECT_THAT(refused.raw, HasSubstr("failed_precondition"));
  EXPECT_THAT(refused.raw, HasSubstr("is disabled"));
  CommandResult cli_start = RunAssent({"start", "ship"}, CliEnv());
  EXPECT_NE(cli_start.exit_code, 0) << cli_start.output;

  server_->Kill();
  StartServer();
  EXPECT_EQ(api().Post("/v1/workflows/ship/runs", json::object{}).status, 422u);
  HttpReply decided = api().Post("/v1/approvals/" + approval_id + "/decision",
                                 json::object{{"decision", "approve"}});
  ASSERT_EQ(decided.status, 200u) << decided.raw;
  AwaitRunStatus(run_id, "completed");

  CommandResult listed = RunAssent({"versions", "ship"}, CliEnv());
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_THAT(listed.output, HasSubstr("3        2      disabled"));
  HttpReply enabled = api().Post("/v1/workflows/ship/enable", json::object{});
  ASSERT_EQ(enabled.status, 200u) << enabled.raw;
  EXPECT_EQ(enabled.body.at("version"), 4);
  EXPECT_FALSE(enabled.body.as_object().contains("disabled"));
  EXPECT_EQ(api().Post("/v1/workflows/ship/runs", json::object{}).status, 201u);
}

}  // namespace
}  // namespace assent::testing
