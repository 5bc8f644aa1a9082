#include "storage/mem_event_log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/storage/test_events.h"

namespace assent::storage {
namespace {

using testing::AppendAndWait;
using testing::MakeBatch;

TEST(MemEventLogTest, InjectedWriteFailureBreaksTheLog) {
  MemEventLog log;
  ASSERT_TRUE(AppendAndWait(log, MakeBatch("r1", 1, 1)).ok());

  log.FailNextWrite(Status::IOError("injected"));
  Status failed = AppendAndWait(log, MakeBatch("r1", 2, 2));
  EXPECT_EQ(failed.code(), StatusCode::kIOError);
  EXPECT_EQ(failed.message(), "injected");
  Status later = AppendAndWait(log, MakeBatch("r2", 1, 1));
  EXPECT_EQ(later.code(), StatusCode::kIOError) << "appends after a failed write fail too";

  std::vector<std::string> records;
  ASSERT_TRUE(log.ReadRun("r1", &records).ok());
  EXPECT_EQ(records.size(), 1u) << "the failed batch wrote nothing";
  ASSERT_TRUE(log.ReadRun("r2", &records).ok());
  EXPECT_TRUE(records.empty());
}

}  // namespace
}  // namespace assent::storage
