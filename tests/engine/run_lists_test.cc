// Lists people can work from: runs and approvals newest first across statuses, a page at a
// time, filtered by workflow, status and age, through the Engine facade over a real log.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "tests/engine/engine_fixture.h"

namespace assent::engine::engine_testing {
namespace {

constexpr const char* kQuick = R"({"steps": [{"id": "a", "type": "code", "lua": "return 1"}]})";

class RunListsTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    ApplyReviewFlow();  // "invoice": waits for a review above 5000
    ApplyWorkflow("quick", kQuick);
  }

  // Starts `n` runs, alternating: a waiting invoice, a completed one, a quick one.
  std::vector<std::string> StartMixed(int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      ids.push_back(i % 3 == 2 ? Start("quick", "{}")
                               : Start("invoice", i % 3 == 0 ? kLargeInvoice : kSmallInvoice));
    }
    return ids;
  }

  static std::vector<std::string> NewestFirst(std::vector<std::string> ids) {
    std::sort(ids.begin(), ids.end(), std::greater<>());
    return ids;
  }

  static int64_t StartMs(const std::string& run_id) {  // "run_" + 12 hex digits of ms
    return std::stoll(run_id.substr(4, 12), nullptr, 16);
  }

  static constexpr const char* kLargeInvoice =
      R"({"invoice_id": "i", "amount": 9000, "vendor": "V"})";
  static constexpr const char* kSmallInvoice =
      R"({"invoice_id": "i", "amount": 10, "vendor": "V"})";
};

// New runs arriving between pages land before the first page's start (their ids are newer),
// so a client paging on sees every run that existed when it began exactly once, and none twice.
TEST_F(RunListsTest, PagesListEveryRunOnceNewestFirstWhileNewRunsArrive) {
  std::vector<std::string> before = StartMixed(20);
  std::vector<std::string> listed;
  RunQuery query{.limit = 3};
  for (int page_count = 0;; ++page_count) {
    ASSERT_LT(page_count, 100);
    auto page = engine_->ListRuns(kAdmin, query);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const RunView& run : page->runs) listed.push_back(run.run_id);
    StartMixed(2);  // arrive between pages
    if (page->next.empty()) break;
    query.after = page->next;
  }
  // Strictly newest first (so none twice), and every run that was there: a run started in the
  // same millisecond as a page's last one may sort after it and be listed too.
  EXPECT_EQ(listed, NewestFirst(listed));
  EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()).size(), listed.size());
  for (const std::string& id : before) {
    EXPECT_EQ(std::count(listed.begin(), listed.end(), id), 1) << id;
  }
  std::set<RunStatus> statuses;
  for (const std::string& id : listed) statuses.insert(Run(id).status);
  EXPECT_EQ(statuses.size(), 2u) << "waiting and completed runs, interleaved by age";
}

TEST_F(RunListsTest, FiltersByWorkflowStatusAndAge) {
  std::vector<std::string> ids = StartMixed(9);
  auto names = [](const Result<RunPage>& page) {
    std::vector<std::string> out;
    for (const RunView& run : page->runs) out.push_back(run.run_id);
    return out;
  };
  EXPECT_EQ(names(engine_->ListRuns(kAdmin, {.workflow = "quick"})),
            NewestFirst({ids[2], ids[5], ids[8]}));
  EXPECT_EQ(names(engine_->ListRuns(kAdmin, {.status = RunStatus::kWaiting})),
            NewestFirst({ids[0], ids[3], ids[6]}));
  EXPECT_EQ(names(engine_->ListRuns(kAdmin, {.workflow = "invoice",
                                             .status = RunStatus::kCompleted})),
            NewestFirst({ids[1], ids[4], ids[7]}));

  // Age bounds are start times: ids carry theirs, to the millisecond.
  std::vector<std::string> sorted = NewestFirst(ids);
  int64_t middle = StartMs(sorted[4]);
  std::vector<std::string> older, newer;
  for (const std::string& id : sorted) (StartMs(id) < middle ? older : newer).push_back(id);
  EXPECT_EQ(names(engine_->ListRuns(kAdmin, {.started_before_ms = middle})), older);
  EXPECT_EQ(names(engine_->ListRuns(kAdmin, {.started_since_ms = middle})), newer);
  EXPECT_TRUE(names(engine_->ListRuns(kAdmin, {.started_before_ms = 0})).empty());
}

TEST_F(RunListsTest, ApprovalsAreListedNewestFirstAcrossStatusesInPages) {
  std::vector<std::string> runs;
  for (int i = 0; i < 7; ++i) runs.push_back(Start("invoice", kLargeInvoice));
  std::vector<std::string> approvals;
  for (const std::string& run : runs) approvals.push_back(Run(run).pending_approvals.at(0).id);
  ASSERT_TRUE(DecideOn(approvals[1], Decision::kApprove).ok());
  ASSERT_TRUE(DecideOn(approvals[4], Decision::kReject, "no").ok());

  std::vector<std::string> listed;
  ApprovalQuery query{.limit = 2};
  for (int page_count = 0;; ++page_count) {
    ASSERT_LT(page_count, 100);
    auto page = engine_->ListApprovals(kAdmin, query);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const ApprovalView& approval : page->approvals) listed.push_back(approval.id);
    if (page->next.empty()) break;
    query.after = page->next;
  }
  EXPECT_EQ(listed, NewestFirst(approvals));
  auto pending = engine_->ListApprovals(kAdmin, {.status = ApprovalStatus::kPending});
  EXPECT_EQ(pending->approvals.size(), 5u);
  EXPECT_EQ(engine_->ListApprovals(kAdmin, {.workflow = "quick"})->approvals.size(), 0u);
}

}  // namespace
}  // namespace assent::engine::engine_testing
