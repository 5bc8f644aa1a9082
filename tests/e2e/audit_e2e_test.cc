// The audit through the real server and the CLI: starts, a decision, a comment and a cancel
// over REST and the CLI; `assent audit` names who did each, `--run` answers who approved a
// payment, `--format jsonl` exports every entry across pages as JSON lines; bad parameters
// are refused naming them, over REST and by the CLI.
#include <sstream>

#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

class AuditE2eTest : public E2eTest {
 protected:
  std::string PendingApproval(const std::string& run_id) {
    json::value run = AwaitRunStatus(run_id, "waiting");
    return std::string(run.at("pending_approvals").at(0).at("id").as_string());
  }
};

TEST_F(AuditE2eTest, TheCliTellsWhoDidWhatAndExportsEveryEntry) {
  std::string paid = StartInvoice(7200);
  std::string approval = PendingApproval(paid);
  std::string withdrawn = StartInvoice(9100);
  std::string withdrawn_approval = PendingApproval(withdrawn);

  CommandResult approved = RunAssent({"approve", approval, "--comment", "vendor checked"},
                                     CliEnv());
  ASSERT_EQ(approved.exit_code, 0) << approved.output;
  HttpReply commented = api().Post("/v1/approvals/" + withdrawn_approval + "/comments",
                                   json::object{{"text", "duplicate of " + paid}});
  ASSERT_EQ(commented.status, 201u) << commented.raw;
  HttpReply cancelled =
      api().Post("/v1/runs/" + withdrawn + "/cancel", json::object{{"reason", "duplicate"}});
  ASSERT_EQ(cancelled.status, 200u) << cancelled.raw;

  // Who approved payment `paid`?
  CommandResult who = RunAssent({"audit", "--run", paid}, CliEnv());
  ASSERT_EQ(who.exit_code, 0) << who.output;
  std::istringstream lines(who.output);
  std::string header, decided, started;
  std::getline(lines, header);
  std::getline(lines, decided);
  std::getline(lines, started);
  EXPECT_THAT(header, HasSubstr("ACTOR"));
  EXPECT_THAT(decided, HasSubstr("admin"));
  EXPECT_THAT(decided, HasSubstr("approval.decided approve"));
  EXPECT_THAT(decided, HasSubstr(approval));
  EXPECT_THAT(decided, HasSubstr("vendor checked"));
  EXPECT_THAT(started, HasSubstr("run.started"));

  CommandResult text = RunAssent({"audit"}, CliEnv());
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_THAT(text.output, HasSubstr("run.cancelled"));
  EXPECT_THAT(text.output, HasSubstr("comment.added"));
  EXPECT_THAT(text.output, HasSubstr("duplicate of " + paid));

  // Every entry, two per page, one JSON object per line.
  CommandResult exported = RunAssent({"audit", "--format", "jsonl", "--limit", "2"}, CliEnv());
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  std::istringstream jsonl(exported.output);
  std::vector<std::string> actions;
  for (std::string line; std::getline(jsonl, line);) {
    boost::system::error_code ec;
    json::value entry = json::parse(line, ec);
    ASSERT_FALSE(ec) << "not JSON: " << line;
    EXPECT_EQ(entry.at("actor"), "admin") << line;
    EXPECT_EQ(entry.at("channel"), "rest") << line;
    EXPECT_FALSE(entry.at("request_id").as_string().empty()) << line;
    EXPECT_EQ(entry.at("workflow"), "invoice-payment") << line;
    actions.emplace_back(entry.at("action").as_string());
  }
  EXPECT_THAT(actions, ::testing::UnorderedElementsAre("run.started", "run.started",
                                                       "approval.decided", "comment.added",
                                                       "run.cancelled"));

  // The REST answer pages by cursor: the first page of two has a next, the last none.
  HttpReply first = api().Get("/v1/audit?limit=2");
  ASSERT_EQ(first.status, 200u) << first.raw;
  EXPECT_EQ(first.body.at("entries").as_array().size(), 2u);
  std::string next(first.body.at("next").as_string());
  HttpReply rest = api().Get("/v1/audit?limit=10&after=" + next);
  ASSERT_EQ(rest.status, 200u) << rest.raw;
  EXPECT_EQ(rest.body.at("entries").as_array().size(), 3u);
  EXPECT_FALSE(rest.body.as_object().contains("next"));
}

TEST_F(AuditE2eTest, BadParametersAreRefusedNamingThem) {
  HttpReply bad_since = api().Get("/v1/audit?since=last-tuesday");
  EXPECT_EQ(bad_since.status, 400u);
  EXPECT_THAT(bad_since.raw, HasSubstr("since must be"));
  HttpReply bad_cursor = api().Get("/v1/audit?after=not-a-cursor");
  EXPECT_EQ(bad_cursor.status, 400u);
  EXPECT_THAT(bad_cursor.raw, HasSubstr("after"));
  HttpReply typo = api().Get("/v1/audit?actr=alice");
  EXPECT_EQ(typo.status, 400u);
  EXPECT_THAT(typo.raw, HasSubstr("actr"));

  CommandResult cli_since = RunAssent({"audit", "--since", "last-tuesday"}, CliEnv());
  EXPECT_EQ(cli_since.exit_code, 2) << cli_since.output;
  EXPECT_THAT(cli_since.output, HasSubstr("--since must be"));
  CommandResult cli_format = RunAssent({"audit", "--format", "csv"}, CliEnv());
  EXPECT_EQ(cli_format.exit_code, 2) << cli_format.output;
  CommandResult cli_cursor = RunAssent({"audit", "--after", "zz"}, CliEnv());
  EXPECT_EQ(cli_cursor.exit_code, 1) << cli_cursor.output;
  EXPECT_THAT(cli_cursor.output, HasSubstr("after"));
}

}  // namespace
}  // namespace assent::testing
