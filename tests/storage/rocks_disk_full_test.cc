// RocksEventLog on a disk that fills: through FullDiskFileSystem (deterministic, always runs)
// and on a real 8 MiB tmpfs (when this process may mount one). Writes are refused with
// kUnavailable saying the disk is full, nothing refused is written, reads go on, and writes are
// taken again by themselves once space is back, with everything acknowledged intact. Also the
// read-only open modes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdarg>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/internal/info_log.h"
#include "storage/rocks_event_log.h"
#include "tests/storage/full_disk_file_system.h"
#include "tests/storage/test_events.h"
#include "tests/support/small_disk.h"
#include "tests/support/temp_dir.h"

namespace assent::storage {
namespace {

using ::testing::HasSubstr;
using testing::AppendAndWait;
using testing::MakeBatch;
using testing::MakeEvent;

// RocksDB retries its recovery every 5 seconds; this is the bound, not the expected wait.
constexpr auto kRecoveryBound = std::chrono::seconds(60);

// Polls (bounded) until the log reports that it takes writes again.
bool AwaitHealthy(RocksEventLog& log) {
  auto deadline = std::chrono::steady_clock::now() + kRecoveryBound;
  while (!log.Health().ok()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll interval, not a sync
  }
  return true;
}

void ExpectDiskFull(const Status& status) {
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr("the disk is full"));
}

std::vector<std::string> Read(RocksEventLog& log, std::string_view run_id) {
  std::vector<std::string> records;
  Status read = log.ReadRun(run_id, &records);
  EXPECT_TRUE(read.ok()) << read.ToString();
  return records;
}

std::set<std::string> Entries(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

class RocksDiskFullTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<RocksEventLog>> OpenLog(OpenMode mode = OpenMode::kReadWrite) {
    return RocksEventLog::Open(dir_.str(), {.mode = mode, .file_system = disk_});
  }

  assent::testing::TempDir dir_;
  std::shared_ptr<assent::testing::FullDiskFileSystem> disk_ =
      std::make_shared<assent::testing::FullDiskFileSystem>();
};

TEST_F(RocksDiskFullTest, WritesAreRefusedWhileFullAndTakenAgainOnceSpaceIsBack) {
  auto log = OpenLog();
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_TRUE(AppendAndWait(**log, MakeBatch("r1", 1, 2)).ok());

  disk_->SetFull(true);
  ExpectDiskFull(AppendAndWait(**log, MakeBatch("r1", 3, 3)));
  // Refused, not broken: every later write is refused the same way while the disk is full.
  ExpectDiskFull(AppendAndWait(**log, MakeBatch("r2", 1, 1)));
  ExpectDiskFull((*log)->PutDefinition("wf", 1, "{}"));
  ExpectDiskFull((*log)->Health());
  EXPECT_GT(disk_->refused_writes(), 0u);
  // Reads go on, and show nothing that was refused.
  EXPECT_EQ(Read(**log, "r1").size(), 2u);
  EXPECT_TRUE(Read(**log, "r2").empty());

  disk_->SetFull(false);
  ASSERT_TRUE(AwaitHealthy(**log)) << "RocksDB did not recover within the bound";
  Status appended = AppendAndWait(**log, MakeBatch("r1", 3, 3));
  ASSERT_TRUE(appended.ok()) << appended.ToString();
  ASSERT_TRUE((*log)->PutDefinition("wf", 1, "{}").ok());
  log->reset();

  auto reopened = OpenLog();
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(Read(**reopened, "r1"),
            (std::vector<std::string>{MakeEvent("r1", 1), MakeEvent("r1", 2), MakeEvent("r1", 3)}));
  EXPECT_TRUE(Read(**reopened, "r2").empty()) << "a refused append came back";
}

TEST_F(RocksDiskFullTest, ClosingOnAFullDiskLosesNothingAcknowledged) {
  {
    auto log = OpenLog();
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    ASSERT_TRUE(AppendAndWait(**log, MakeBatch("r1", 1, 3)).ok());
    disk_->SetFull(true);
    ExpectDiskFull(AppendAndWait(**log, MakeBatch("r1", 4, 4)));
  }  // closes on the full disk
  disk_->SetFull(false);
  auto reopened = OpenLog();
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(Read(**reopened, "r1").size(), 3u);
}

TEST_F(RocksDiskFullTest, ReadWriteOpenOnAFullDiskSaysSo) {
  ASSERT_TRUE(OpenLog().ok());  // the directory exists, with data
  disk_->SetFull(true);
  auto log = OpenLog();
  ASSERT_FALSE(log.ok());
  ExpectDiskFull(log.status());
}

TEST_F(RocksDiskFullTest, ServerOpenOnAFullDiskFallsBackToReadOnly) {
  {
    auto log = OpenLog();
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    ASSERT_TRUE(AppendAndWait(**log, MakeBatch("r1", 1, 2)).ok());
  }
  disk_->SetFull(true);
  auto log = OpenLog(OpenMode::kReadWriteUnlessFull);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_THAT((*log)->read_only_reason(), HasSubstr("the disk is full"));
  EXPECT_THAT((*log)->read_only_reason(), HasSubstr("open read-only"));
  EXPECT_EQ(Read(**log, "r1").size(), 2u);
  Status refused = AppendAndWait(**log, MakeBatch("r1", 3, 3));
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_THAT(refused.message(), HasSubstr("read-only"));
  EXPECT_EQ((*log)->Health().code(), StatusCode::kUnavailable);
}

TEST_F(RocksDiskFullTest, ServerOpenWithSpaceIsReadWrite) {
  auto log = OpenLog(OpenMode::kReadWriteUnlessFull);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ((*log)->read_only_reason(), "");
  EXPECT_TRUE(AppendAndWait(**log, MakeBatch("r1", 1, 1)).ok());
}

TEST(RocksReadOnlyTest, ReadsADirectoryAServerHoldsAndWritesNothing) {
  assent::testing::TempDir dir;
  auto writer = RocksEventLog::Open(dir.str());
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE(AppendAndWait(**writer, MakeBatch("r1", 1, 2)).ok());
  ASSERT_TRUE((*writer)->PutDefinition("wf", 1, "{}").ok());
  std::set<std::string> before = Entries(dir.str());

  auto reader = RocksEventLog::Open(dir.str(), {.mode = OpenMode::kReadOnly});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ(Read(**reader, "r1").size(), 2u);  // from the WAL the writer has not flushed
  Status refused = AppendAndWait(**reader, MakeBatch("r1", 3, 3));
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_THAT(refused.message(), HasSubstr("read-only"));
  EXPECT_EQ((*reader)->PutDefinition("wf", 2, "{}").code(), StatusCode::kUnavailable);
  EXPECT_EQ((*reader)->Health().code(), StatusCode::kUnavailable);
  reader->reset();

  EXPECT_EQ(Entries(dir.str()), before) << "a read-only open changed the directory";
  EXPECT_TRUE(AppendAndWait(**writer, MakeBatch("r1", 3, 3)).ok()) << "the writer was disturbed";
}

TEST(RocksReadOnlyTest, MissingDirectoryIsAnErrorAndStaysMissing) {
  assent::testing::TempDir dir;
  std::string missing = dir.str() + "/nothing-here";
  auto reader = RocksEventLog::Open(missing, {.mode = OpenMode::kReadOnly});
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kNotFound) << reader.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(missing));
}

// The same on a real file system that runs out of space: a tmpfs that, once the filler is
// gone, has more free than RocksDB waits for before it resumes (64 MiB, internal/disk_full.h).
TEST(RocksSmallDiskTest, WritesAreRefusedOnARealFullDiskAndTakenAgainOnceSpaceIsFreed) {
  std::string why_not;
  auto disk = assent::testing::SmallDisk::Mount(96 << 20, &why_not);
  if (!disk) GTEST_SKIP() << why_not;
  disk->Fill(8 << 20);  // too little room for the WAL's preallocation: appends meet ENOSPC
  std::string dir = disk->str() + "/data";
  auto log = RocksEventLog::Open(dir);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_TRUE(AppendAndWait(**log, MakeBatch("r1", 1, 2)).ok());

  disk->Fill();
  // The WAL may still have room in its last page: write until refused (bounded).
  Status refused;
  for (uint64_t seq = 3; refused.ok() && seq < 100'000; ++seq) {
    refused = AppendAndWait(**log, MakeBatch("r1", seq, seq));
    if (refused.ok()) disk->Fill();
  }
  ExpectDiskFull(refused);
  ExpectDiskFull((*log)->Health());
  std::vector<std::string> acknowledged = Read(**log, "r1");
  ASSERT_GE(acknowledged.size(), 2u);

  disk->Free();
  ASSERT_TRUE(AwaitHealthy(**log)) << "RocksDB did not recover within the bound";
  uint64_t next = acknowledged.size() + 1;
  Status appended = AppendAndWait(**log, MakeBatch("r1", next, next));
  ASSERT_TRUE(appended.ok()) << appended.ToString();
  log->reset();

  auto reopened = RocksEventLog::Open(dir);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  std::vector<std::string> records = Read(**reopened, "r1");
  ASSERT_EQ(records.size(), next);
  for (uint64_t seq = 1; seq <= next; ++seq) EXPECT_EQ(records[seq - 1], MakeEvent("r1", seq));
}

TEST(RocksSmallDiskTest, OpeningOnARealFullDiskFallsBackToReadOnly) {
  std::string why_not;
  auto disk = assent::testing::SmallDisk::Mount(8 << 20, &why_not);
  if (!disk) GTEST_SKIP() << why_not;
  std::string dir = disk->str() + "/data";
  {
    auto log = RocksEventLog::Open(dir);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    ASSERT_TRUE(AppendAndWait(**log, MakeBatch("r1", 1, 2)).ok());
  }
  disk->Fill();
  auto log = RocksEventLog::Open(dir, {.mode = OpenMode::kReadWriteUnlessFull});
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_THAT((*log)->read_only_reason(), HasSubstr("the disk is full"));
  EXPECT_EQ(Read(**log, "r1").size(), 2u);
  EXPECT_EQ(AppendAndWait(**log, MakeBatch("r1", 3, 3)).code(), StatusCode::kUnavailable);
}

// RocksDB's default info log aborted the process (an assertion in its file writer) on the line
// after one that met ENOSPC; InfoLog drops such lines and writes the next ones once there is
// room.
void Log(internal::InfoLog& log, const char* format, ...) {
  va_list args;
  va_start(args, format);
  log.Logv(format, args);
  va_end(args);
}

TEST(InfoLogTest, LinesThatFindTheDiskFullAreDroppedAndLaterOnesWritten) {
  std::string why_not;
  auto disk = assent::testing::SmallDisk::Mount(1 << 20, &why_not);
  if (!disk) GTEST_SKIP() << why_not;
  internal::InfoLog log(disk->str());
  Log(log, "before %d", 1);
  disk->Fill();
  for (int i = 0; i < 100; ++i) Log(log, "while full %d %s", i, std::string(1000, 'x').c_str());
  EXPECT_GT(log.dropped(), 0u);
  disk->Free();
  uint64_t dropped = log.dropped();
  Log(log, "after %d", 2);
  EXPECT_EQ(log.dropped(), dropped);
  std::ifstream file(disk->path() / "LOG");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr("before 1\n"));
  EXPECT_THAT(text, HasSubstr("after 2\n"));
}

}  // namespace
}  // namespace assent::storage
