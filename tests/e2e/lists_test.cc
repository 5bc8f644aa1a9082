// Lists people can work from, through the real server and the CLI (as the admin: per-user
// access over REST waits for per-user tokens): runs and approvals newest first across
// statuses, a page at a time with an opaque cursor, filtered by workflow, status and age, and
// still listed after a restart.
#include <gmock/gmock.h>

#include <algorithm>
#include <regex>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

class ListsTest : public E2eTest {
 protected:
  // Five runs: large invoices wait for review, small ones complete. Their ids, newest first.
  std::vector<std::string> StartRuns() {
    std::vector<std::string> ids;
    for (int amount : {9000, 100, 9100, 200, 9200}) {
      ids.push_back(StartInvoice(amount));
      AwaitRunStatus(ids.back(), amount > 5000 ? "waiting" : "completed");
    }
    std::sort(ids.begin(), ids.end(), std::greater<>());
    return ids;
  }

  // Follows "next" from `target` (which has a query) until the last page.
  std::vector<std::string> AllPages(const std::string& target, const std::string& key,
                                    const std::string& id_field) {
    std::vector<std::string> ids;
    std::string after;
    for (int pages = 0; pages < 50; ++pages) {
      HttpReply page = api().Get(target + (after.empty() ? "" : "&after=" + after));
      EXPECT_EQ(page.status, 200u) << page.raw;
      if (page.status != 200) break;
      for (const json::value& item : page.body.at(key).as_array()) {
        ids.emplace_back(item.at(id_field).as_string());
      }
      const json::value* next = page.body.as_object().if_contains("next");
      if (next == nullptr) return ids;
      after = std::string(next->as_string());
    }
    ADD_FAILURE() << "no last page";
    return ids;
  }
};

TEST_F(ListsTest, RunsComeNewestFirstAcrossStatusesAPageAtATime) {
  std::vector<std::string> ids = StartRuns();
  EXPECT_EQ(AllPages("/v1/runs?limit=2", "runs", "run_id"), ids);
  EXPECT_EQ(AllPages("/v1/runs?limit=2&status=waiting", "runs", "run_id").size(), 3u);
  EXPECT_EQ(AllPages("/v1/runs?workflow=invoice-payment&newer_than=1h", "runs", "run_id"), ids);
  EXPECT_TRUE(AllPages("/v1/runs?workflow=other", "runs", "run_id").empty());
  EXPECT_TRUE(AllPages("/v1/runs?older_than=1h", "runs", "run_id").empty());
  EXPECT_EQ(AllPages("/v1/runs?older_than=2999-01-01T00:00:00Z", "runs", "run_id"), ids);

  HttpReply bad = api().Get("/v1/runs?after=not-a-cursor!");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(bad.body.at("error").at("code"), "invalid_argument");

  // After a restart the same runs are listed the same way: the lists are built from the log.
  server_->Kill();
  StartServer();
  EXPECT_EQ(AllPages("/v1/runs?limit=3", "runs", "run_id"), ids);
}

TEST_F(ListsTest, ApprovalsComeNewestFirstAndTheInboxHoldsWhatTheCallerMayDecide) {
  std::vector<std::string> runs = StartRuns();
  std::vector<std::string> approvals;
  for (const std::string& run : runs) {
    json::value body = api().Get("/v1/runs/" + run).body;
    for (const json::value& approval : body.at("pending_approvals").as_array()) {
      approvals.emplace_back(approval.at("id").as_string());
    }
  }
  ASSERT_EQ(approvals.size(), 3u);
  ASSERT_EQ(api().Post("/v1/approvals/" + approvals[1] + "/decision",
                       json::object{{"decision", "approve"}})
                .status,
            200u);
  EXPECT_EQ(AllPages("/v1/approvals?limit=1", "approvals", "id"), approvals);
  std::vector<std::string> pending{approvals[0], approvals[2]};
  EXPECT_EQ(AllPages("/v1/approvals?status=pending&limit=1", "approvals", "id"), pending);
  EXPECT_EQ(AllPages("/v1/approvals?assignee=me", "approvals", "id"), pending)
      << "the admin may decide every pending approval";
  EXPECT_EQ(api().Get("/v1/approvals?assignee=someone").status, 400u);
}

TEST_F(ListsTest, TheCliPagesRunsNewestFirstAndPrintsTheNextCursor) {
  std::vector<std::string> ids = StartRuns();
  std::vector<std::string> env = CliEnv();
  CommandResult first = RunAssent({"runs", "--limit", "2"}, env);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  std::smatch more;
  ASSERT_TRUE(std::regex_search(first.output, more, std::regex("more: --after ([A-Za-z0-9_-]+)")))
      << first.output;
  EXPECT_LT(first.output.find(ids[0]), first.output.find(ids[1])) << "newest first";
  EXPECT_THAT(first.output, Not(HasSubstr(ids[2])));

  CommandResult second = RunAssent({"runs", "--limit", "2", "--after", more[1].str()}, env);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_LT(second.output.find(ids[2]), second.output.find(ids[3]));
  EXPECT_THAT(second.output, Not(HasSubstr(ids[1])));

  CommandResult waiting = RunAssent({"runs", "--status", "waiting", "--older-than", "1h"}, env);
  EXPECT_EQ(waiting.exit_code, 0) << waiting.output;
  EXPECT_THAT(waiting.output, Not(HasSubstr("run_")));
  CommandResult bad = RunAssent({"runs", "--older-than", "soon"}, env);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.output, HasSubstr("invalid_argument"));

  CommandResult mine = RunAssent({"approvals", "--mine"}, env);
  EXPECT_EQ(mine.exit_code, 0) << mine.output;
  EXPECT_THAT(mine.output, HasSubstr(ids[0] + ".")) << "the newest run waits for a review";
  CommandResult all = RunAssent({"approvals", "--status", "all", "--limit", "1"}, env);
  EXPECT_EQ(all.exit_code, 0) << all.output;
  EXPECT_THAT(all.output, HasSubstr("more: --after "));
}

}  // namespace
}  // namespace assent::testing
