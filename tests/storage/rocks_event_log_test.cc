#include "storage/rocks_event_log.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "storage/internal/chunks.h"
#include "storage/internal/keys.h"
#include "tests/storage/test_events.h"
#include "tests/support/temp_dir.h"

namespace assent::storage {
namespace {

using testing::AppendAndWait;
using testing::AppendForPosition;
using testing::Countdown;
using testing::kWaitTimeout;
using testing::MakeBatch;
using testing::MakeEvent;
using testing::MakeEventWithoutBody;
using testing::MakeRecord;

class RocksEventLogTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    auto opened = RocksEventLog::Open(dir_.str());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    log_ = std::move(opened).value();
  }
  void Close() { log_.reset(); }

  // Writes `value` under the events key of (run_id, seq) behind the log's back, as disk damage
  // or a bug in an older version would. REQUIRES: the log is closed.
  void PutRawEvent(std::string_view run_id, uint64_t seq, const std::string& value) {
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir_.str(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const std::string& name : names)
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s =
        rocksdb::DB::Open(rocksdb::DBOptions(), dir_.str(), families, &handles, &raw);
    ASSERT_TRUE(s.ok()) << s.ToString();
    std::unique_ptr<rocksdb::DB> db(raw);
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == internal::kEventsColumnFamily) {
        EXPECT_TRUE(
            db->Put(rocksdb::WriteOptions(), handles[i], internal::EventKey(run_id, seq), value)
                .ok());
      }
    }
    for (rocksdb::ColumnFamilyHandle* handle : handles) {
      EXPECT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
    }
    EXPECT_TRUE(db->Close().ok());
  }

  // Stores seq 1 of "r1", puts `value` under seq `seq` directly, reopens and reads "r1".
  Status ReadAfterRawPut(uint64_t seq, const std::string& value) {
    EXPECT_TRUE(AppendAndWait(*log_, MakeBatch("r1", 1, 1)).ok());
    Close();
    PutRawEvent("r1", seq, value);
    Open();
    std::vector<std::string> records;
    return log_->ReadRun("r1", &records);
  }

  assent::testing::TempDir dir_;
  std::unique_ptr<RocksEventLog> log_;
};

TEST_F(RocksEventLogTest, OpenCreatesMissingDirectories) {
  auto opened = RocksEventLog::Open(dir_.str() + "/a/b");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
}

TEST_F(RocksEventLogTest, EverythingSurvivesCloseAndReopen) {
  // Reopening recovers the WAL into table files, so the reads below also cover the prefix
  // filter: "r" and "r10" share bytes with "r1" but are other runs.
  AppendBatch batch = MakeBatch("r1", 1, 2);
  batch.records.push_back(MakeRecord("r", 1));
  batch.records.push_back(MakeRecord("r10", 1));
  batch.index_ops = {IndexOp{Index::kStartKeys, "wf-key", "r1"}};
  ASSERT_TRUE(AppendAndWait(*log_, std::move(batch)).ok());
  ASSERT_TRUE(log_->PutDefinition("wf", 1, "{}").ok());
  Close();
  Open();

  std::vector<std::string> records;
  ASSERT_TRUE(log_->ReadRun("r1", &records).ok());
  EXPECT_EQ(records, (std::vector<std::string>{MakeEvent("r1", 1), MakeEvent("r1", 2)}));
  ASSERT_TRUE(log_->ReadRun("r2", &records).ok());
  EXPECT_TRUE(records.empty());
  std::string value;
  ASSERT_TRUE(log_->GetIndex(Index::kStartKeys, "wf-key", &value).ok());
  EXPECT_EQ(value, "r1");
  int definitions = 0;
  ASSERT_TRUE(
      log_->ScanDefinitions([&](std::string_view, uint32_t, std::string_view) { ++definitions; })
          .ok());
  EXPECT_EQ(definitions, 1);
}

TEST_F(RocksEventLogTest, CommitPositionsGoOnAfterReopening) {
  AppendBatch batch = MakeBatch("r1", 1, 1);
  batch.positions = 3;
  ASSERT_EQ(AppendForPosition(*log_, std::move(batch)).value(), 1u);
  ASSERT_TRUE(AppendAndWait(*log_, MakeBatch("r1", 2, 2)).ok());
  Close();
  Open();
  EXPECT_EQ(log_->LastPosition(), 3u) << "the last position is kept with the batch that took it";
  AppendBatch next = MakeBatch("r1", 3, 3);
  next.positions = 1;
  EXPECT_EQ(AppendForPosition(*log_, std::move(next)).value(), 4u) << "never reused";
}

TEST_F(RocksEventLogTest, GroupCommitWritesManyBatchesAtOnce) {
  // The first callback holds the commit thread until every other append is queued, so the rest
  // must go out together: at most two writes for 100 batches.
  constexpr int kBatches = 100;
  std::promise<void> all_queued;
  std::shared_future<void> queued = all_queued.get_future().share();
  Countdown acked(kBatches);
  bool first_ok = false;
  log_->Append(MakeBatch("r1", 1, 1), [&, queued](Status status, uint64_t) {
    first_ok = status.ok();
    EXPECT_EQ(queued.wait_for(kWaitTimeout), std::future_status::ready);
    acked.Done();
  });
  std::vector<Status> failures;  // written by the commit thread; read after acked.Wait()
  for (uint64_t seq = 2; seq <= kBatches; ++seq) {
    log_->Append(MakeBatch("r1", seq, seq), [&](Status status, uint64_t) {
      if (!status.ok()) failures.push_back(status);
      acked.Done();
    });
  }
  all_queued.set_value();
  ASSERT_TRUE(acked.Wait()) << "not every append was acknowledged in time";

  EXPECT_TRUE(first_ok);
  EXPECT_TRUE(failures.empty()) << failures.front().ToString();
  EXPECT_EQ(log_->stats().batches, static_cast<uint64_t>(kBatches));
  EXPECT_LE(log_->stats().writes, 2u);
  std::vector<std::string> records;
  ASSERT_TRUE(log_->ReadRun("r1", &records).ok());
  EXPECT_EQ(records.size(), static_cast<size_t>(kBatches));
}

void ExpectCorruption(const Status& status, std::string_view names) {
  EXPECT_EQ(status.code(), StatusCode::kCorruption) << status.ToString();
  EXPECT_NE(status.message().find(names), std::string::npos) << status.ToString();
}

TEST_F(RocksEventLogTest, GarbageRecordIsCorruptionNamingRunAndSeq) {
  ExpectCorruption(ReadAfterRawPut(2, "\x01\x02garbage"), "run r1 seq 2:");
}

// A well-framed chunk (see storage/internal/chunks.h) holding `bytes` as its one record.
std::string Chunked(std::string bytes) {
  return internal::EncodeChunks({Record{"any", 1, std::move(bytes)}}).at(0).value;
}

TEST_F(RocksEventLogTest, EnvelopeSeqMismatchIsCorruption) {
  ExpectCorruption(ReadAfterRawPut(2, Chunked(MakeEvent("r1", 7))),
                   "run r1 seq 2: envelope seq is 7");
}

TEST_F(RocksEventLogTest, EnvelopeRunIdMismatchIsCorruption) {
  ExpectCorruption(ReadAfterRawPut(2, Chunked(MakeEvent("r9", 2))),
                   "run r1 seq 2: envelope run id");
}

// The fold would dereference the missing body (found by event_log_fuzz).
TEST_F(RocksEventLogTest, BodyTypeWithoutBodyIsCorruption) {
  ExpectCorruption(ReadAfterRawPut(2, Chunked(MakeEventWithoutBody("r1", 2))),
                   "run r1 seq 2: envelope has body type 2 but no body");
}

TEST_F(RocksEventLogTest, BrokenChunkFramingIsCorruption) {
  std::string truncated = Chunked(MakeEvent("r1", 2));
  truncated.resize(truncated.size() - 3);
  ExpectCorruption(ReadAfterRawPut(2, truncated), "run r1 seq 2: malformed chunk framing");
}

// A run whose chunks before from_seq are missing must read as a gap, not as "no more records",
// even when another run's keys sort just before it.
TEST_F(RocksEventLogTest, MissingStartIsCorruptionWhenReadingFromALaterSeq) {
  EXPECT_TRUE(AppendAndWait(*log_, MakeBatch("r1", 1, 3)).ok());
  Close();
  PutRawEvent("r2", 10, Chunked(MakeEvent("r2", 10)));
  Open();
  std::vector<std::string> records;
  ExpectCorruption(log_->ReadRun("r2", 5, &records), "run r2 seq 10: expected seq 5");
}

TEST_F(RocksEventLogTest, GapInSeqsIsCorruption) {
  ExpectCorruption(ReadAfterRawPut(5, Chunked(MakeEvent("r1", 5))),
                   "run r1 seq 5: expected seq 2");
}

}  // namespace
}  // namespace assent::storage
