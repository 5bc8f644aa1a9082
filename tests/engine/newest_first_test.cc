// ScanNewestFirst (engine/internal/newest_first.h): pages across several statuses, newest first,
// with the work per page bounded, over a real MemEventLog.
#include "engine/internal/newest_first.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "storage/mem_event_log.h"
#include "tests/storage/test_events.h"

namespace assent::engine {
namespace {

using storage::Index;

class NewestFirstTest : public ::testing::Test {
 protected:
  // Ids "i000".."i<n-1>" spread over statuses 'a', 'b', 'c' by id; value "odd" or "even".
  void Fill(int n) {
    storage::AppendBatch batch;
    for (int i = 0; i < n; ++i) {
      char id[16];
      std::snprintf(id, sizeof(id), "i%03d", i);
      std::string key = std::string(1, static_cast<char>('a' + i % 3)) + id;
      batch.index_ops.push_back({Index::kRunsByStatus, key, i % 2 ? "odd" : "even"});
      all_.push_back(id);
    }
    ASSERT_TRUE(storage::testing::AppendAndWait(log_, std::move(batch)).ok());
    std::reverse(all_.begin(), all_.end());
  }

  NewestFirstScan Scan(size_t limit, std::string before = "") {
    return NewestFirstScan{.index = Index::kRunsByStatus,
                           .prefixes = {"a", "b", "c"},
                           .before = std::move(before),
                           .limit = limit,
                           .accept = [](std::string_view, std::string_view) { return true; }};
  }

  // Follows `next` until the last page: every id, in page order.
  std::vector<std::string> Drain(NewestFirstScan scan, size_t* pages) {
    std::vector<std::string> seen;
    *pages = 0;
    for (;;) {
      auto page = ScanNewestFirst(log_, scan);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok() || ++*pages > 1000) break;
      EXPECT_LE(page->ids.size(), scan.limit);
      seen.insert(seen.end(), page->ids.begin(), page->ids.end());
      if (page->next.empty()) break;
      scan.before = page->next;
    }
    return seen;
  }

  storage::MemEventLog log_;
  std::vector<std::string> all_;  // every id, newest (highest) first
};

TEST_F(NewestFirstTest, PagesMergeStatusesNewestFirstWithNoneTwiceOrMissing) {
  Fill(50);
  size_t pages = 0;
  EXPECT_EQ(Drain(Scan(7), &pages), all_);
  EXPECT_EQ(pages, 8u);  // 7 full pages and the last one of 1
  auto first = ScanNewestFirst(log_, Scan(100));
  EXPECT_EQ(first->ids, all_);
  EXPECT_TRUE(first->next.empty()) << "one page held everything";
}

TEST_F(NewestFirstTest, AFilterThatPassesOverManyEntriesStopsAtTheBoundAndSaysWhereToGoOn) {
  Fill(90);
  NewestFirstScan scan = Scan(5);
  scan.max_examined = 2;  // per status: 6 entries, about 3 of them odd
  scan.accept = [](std::string_view, std::string_view value) { return value == "odd"; };
  std::vector<std::string> odd;
  for (const std::string& id : all_) {
    if (std::stoi(id.substr(1)) % 2 == 1) odd.push_back(id);
  }
  auto page = ScanNewestFirst(log_, scan);
  ASSERT_TRUE(page.ok());
  EXPECT_LT(page->ids.size(), 5u) << "a short page: the bound came first";
  EXPECT_FALSE(page->next.empty()) << "and it says there is more";
  size_t pages = 0;
  EXPECT_EQ(Drain(scan, &pages), odd);
  EXPECT_GT(pages, 9u);
}

TEST_F(NewestFirstTest, AnIdInTwoStatusesIsListedOnce) {
  Fill(6);
  storage::AppendBatch moved;  // i004 is in 'b'; a scan racing its move would see it twice
  moved.index_ops.push_back({Index::kRunsByStatus, "ci004", "even"});
  ASSERT_TRUE(storage::testing::AppendAndWait(log_, std::move(moved)).ok());
  size_t pages = 0;
  EXPECT_EQ(Drain(Scan(2), &pages), all_);
}

TEST_F(NewestFirstTest, BoundsKeepTheIdsBetweenThem) {
  Fill(30);
  NewestFirstScan scan = Scan(100, "i020");
  scan.not_below = "i010";
  auto page = ScanNewestFirst(log_, scan);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->ids, std::vector<std::string>(all_.begin() + 10, all_.begin() + 20));
}

}  // namespace
}  // namespace assent::engine
