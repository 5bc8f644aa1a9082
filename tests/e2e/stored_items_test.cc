// A stored item the server cannot read (damaged, or accepted by an older version that checked
// less: a definition holding Infinity, as one with 1e400 once was) never keeps the server from
// starting: it is reported and skipped, everything else works, and `assent verify` names it.
#include <gmock/gmock.h>

#include "storage/rocks_event_log.h"
#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kVictim = R"({"name": "victim", "steps": [
    {"id": "review", "type": "approval", "message": "ok?"},
    {"id": "done", "type": "code", "lua": "return 1"}]})";

// What the first versions stored for the issue's definition: Boost serialized 1e400 so.
constexpr const char* kStoredInfinity =
    R"({"name":"inf","steps":[{"id":"r","type":"approval","message":"m","show":{"x":Infinity}}]})";

void OverwriteDefinition(const std::string& data_dir, const std::string& name,
                         const std::string& text) {
  auto log = storage::RocksEventLog::Open(data_dir);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_TRUE((*log)->PutDefinition(name, 1, text).ok());
}

using StoredItemsTest = E2eTest;

TEST_F(StoredItemsTest, AnUnreadableDefinitionIsSkippedAndNamedByVerify) {
  ASSERT_EQ(api().Put("/v1/workflows/victim", json::parse(kVictim)).status, 200u);
  HttpReply started = api().Post("/v1/workflows/victim/runs", json::object{});
  ASSERT_EQ(started.status, 201u) << started.raw;
  std::string stranded(started.body.at("run_id").as_string());
  AwaitRunStatus(stranded, "waiting");
  ASSERT_EQ(server_->Terminate(), 0);

  OverwriteDefinition(data_.str(), "victim", R"({"name": "victim", "steps": [)");
  OverwriteDefinition(data_.str(), "inf", kStoredInfinity);

  StartServer();  // throws, with the server's output, if it does not come up
  EXPECT_THAT(server_->output(), HasSubstr("unreadable workflow definition skipped"));
  EXPECT_THAT(server_->output(), HasSubstr("workflow inf v1"));
  HttpReply listed = api().Get("/v1/workflows");
  ASSERT_EQ(listed.status, 200u) << listed.raw;
  ASSERT_EQ(listed.body.at("workflows").as_array().size(), 1u) << listed.raw;
  EXPECT_EQ(listed.body.at("workflows").at(0).at("name"), "invoice-payment");
  EXPECT_EQ(api().Get("/v1/workflows/inf").status, 404u);

  // Everything else works, and a new version never takes the unreadable one's place.
  std::string run_id = StartInvoice(100);
  AwaitRunStatus(run_id, "completed");
  HttpReply replaced = api().Put("/v1/workflows/inf", json::parse(R"({"name": "inf", "steps": [
      {"id": "r", "type": "approval", "message": "m", "show": {"x": 1}}]})"));
  ASSERT_EQ(replaced.status, 200u) << replaced.raw;
  EXPECT_EQ(replaced.body.at("version"), 2);

  // Read-only, beside the running server.
  CommandResult verified = RunAssent({"verify", "--data", data_.str()});
  EXPECT_EQ(verified.exit_code, 1) << verified.output;
  EXPECT_THAT(verified.output, HasSubstr("workflow victim v1: stored JSON does not parse"));
  EXPECT_THAT(verified.output, HasSubstr("workflow inf v1: stored JSON does not parse"));
  EXPECT_THAT(verified.output,
              HasSubstr("run " + stranded + ": its workflow victim v1 cannot be read"));
  EXPECT_THAT(verified.output, Not(HasSubstr("run " + run_id)));
  EXPECT_THAT(verified.output, HasSubstr("3 problems"));
}

TEST_F(StoredItemsTest, VerifyPassesASoundDataDirAndRefusesAMissingOne) {
  std::string approved = StartInvoice(9000);
  json::value run = AwaitRunStatus(approved, "waiting");
  std::string approval_id(run.at("pending_approvals").at(0).at("id").as_string());
  ASSERT_EQ(api().Post("/v1/approvals/" + approval_id + "/decision",
                       json::object{{"decision", "approve"}}).status, 200u);
  AwaitRunStatus(approved, "completed");
  AwaitRunStatus(StartInvoice(9001), "waiting");
  ASSERT_EQ(server_->Terminate(), 0);

  CommandResult verified = RunAssent({"verify", "--data", data_.str()});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_THAT(verified.output,
              HasSubstr("checked 1 workflow versions, 2 runs, 2 approvals, 0 identity changes: "
                        "no problems"));

  CommandResult missing = RunAssent({"verify", "--data", data_.str() + "/nothing-here"});
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_THAT(missing.output, HasSubstr("does not exist"));
}

}  // namespace
}  // namespace assent::testing
