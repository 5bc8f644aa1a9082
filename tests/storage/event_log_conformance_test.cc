// One suite for the EventLog contract (storage/event_log.h), run against every implementation.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "schemas/event_generated.h"
#include "storage/mem_event_log.h"
#include "storage/rocks_event_log.h"
#include "tests/storage/test_events.h"
#include "tests/support/temp_dir.h"

namespace assent::storage {
namespace {

using testing::AppendAndWait;
using testing::Countdown;
using testing::MakeBatch;
using testing::MakeEvent;
using testing::MakeEventWithoutBody;
using testing::MakeRecord;

// Each implementation comes as a holder that owns the log and whatever it needs.
class RocksHolder {
 public:
  static constexpr char kName[] = "Rocks";
  RocksHolder() {
    auto opened = RocksEventLog::Open(dir_.str());
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    if (opened.ok()) log_ = std::move(opened).value();
  }
  EventLog& log() { return *log_; }

 private:
  assent::testing::TempDir dir_;
  std::unique_ptr<RocksEventLog> log_;
};

class MemHolder {
 public:
  static constexpr char kName[] = "Mem";
  EventLog& log() { return log_; }

 private:
  MemEventLog log_;
};

template <typename Holder>
class EventLogConformanceTest : public ::testing::Test {
 protected:
  EventLog& log() { return holder_.log(); }

  std::vector<std::string> ReadOk(std::string_view run_id) {
    std::vector<std::string> records;
    Status s = log().ReadRun(run_id, &records);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return records;
  }

  std::vector<std::pair<std::string, std::string>> Scan(Index index, std::string_view prefix) {
    std::vector<std::pair<std::string, std::string>> entries;
    Status s = log().ScanIndex(index, prefix, [&](std::string_view key, std::string_view value) {
      entries.emplace_back(key, value);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return entries;
  }

  Holder holder_;
};

struct HolderNames {
  template <typename Holder>
  static std::string GetName(int) {
    return Holder::kName;
  }
};

using Implementations = ::testing::Types<RocksHolder, MemHolder>;
TYPED_TEST_SUITE(EventLogConformanceTest, Implementations, HolderNames);

IndexOp Put(Index index, std::string key, std::string value) {
  return IndexOp{index, std::move(key), std::move(value)};
}

IndexOp Delete(Index index, std::string key) { return IndexOp{index, std::move(key), {}}; }

TYPED_TEST(EventLogConformanceTest, AppendThenReadInOrder) {
  ASSERT_TRUE(AppendAndWait(this->log(), MakeBatch("r1", 1, 3)).ok());
  ASSERT_TRUE(AppendAndWait(this->log(), MakeBatch("r1", 4, 4)).ok());

  std::vector<std::string> expected;
  for (uint64_t seq = 1; seq <= 4; ++seq) expected.push_back(MakeEvent("r1", seq));
  EXPECT_EQ(this->ReadOk("r1"), expected);
}

// Seqs read back from a read of `run_id` from `from_seq`, via each record's envelope.
std::vector<uint64_t> SeqsFrom(EventLog& log, std::string_view run_id, uint64_t from_seq) {
  std::vector<std::string> records;
  EXPECT_TRUE(log.ReadRun(run_id, from_seq, &records).ok());
  std::vector<uint64_t> seqs;
  for (const std::string& record : records) seqs.push_back(fb::GetEvent(record.data())->seq());
  return seqs;
}

TYPED_TEST(EventLogConformanceTest, ReadFromALaterSeqStartsInsideItsChunk) {
  ASSERT_TRUE(AppendAndWait(this->log(), MakeBatch("r1", 1, 3)).ok());
  ASSERT_TRUE(AppendAndWait(this->log(), MakeBatch("r1", 4, 6)).ok());
  ASSERT_TRUE(AppendAndWait(this->log(), MakeBatch("r1", 7, 7)).ok());
  ASSERT_TRUE(AppendAndWait(this->log(), MakeBatch("r0", 1, 9)).ok());  // a neighbour before
  EXPECT_EQ(SeqsFrom(this->log(), "r1", 1), (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(SeqsFrom(this->log(), "r1", 4), (std::vector<uint64_t>{4, 5, 6, 7}));
  EXPECT_EQ(SeqsFrom(this->log(), "r1", 5), (std::vector<uint64_t>{5, 6, 7}));
  EXPECT_EQ(SeqsFrom(this->log(), "r1", 7), (std::vector<uint64_t>{7}));
  EXPECT_TRUE(SeqsFrom(this->log(), "r1", 8).empty());
  EXPECT_TRUE(SeqsFrom(this->log(), "r2", 3).empty());
}

TYPED_TEST(EventLogConformanceTest, UnknownRunReadsEmpty) {
  ASSERT_TRUE(AppendAndWait(this->log(), MakeBatch("r1", 1, 1)).ok());
  std::vector<std::string> records = {"left over"};
  ASSERT_TRUE(this->log().ReadRun("r2", &records).ok());
  EXPECT_TRUE(records.empty());
}

TYPED_TEST(EventLogConformanceTest, InterleavedRunsReadSeparately) {
  // "a" is a prefix of "ab": the key separator must keep their records apart.
  for (uint64_t seq = 1; seq <= 5; ++seq) {
    AppendBatch batch;
    batch.records = {MakeRecord("ab", seq), MakeRecord("a", seq)};
    if (seq <= 2) batch.records.push_back(MakeRecord("b", seq));
    ASSERT_TRUE(AppendAndWait(this->log(), std::move(batch)).ok());
  }

  for (auto [run_id, count] : {std::pair{"a", 5}, std::pair{"ab", 5}, std::pair{"b", 2}}) {
    std::vector<std::string> records = this->ReadOk(run_id);
    ASSERT_EQ(records.size(), static_cast<size_t>(count)) << run_id;
    for (int i = 0; i < count; ++i) EXPECT_EQ(records[i], MakeEvent(run_id, i + 1)) << run_id;
  }
}

TYPED_TEST(EventLogConformanceTest, IndexPutGetDeleteAndScanByPrefix) {
  AppendBatch batch;
  batch.index_ops = {Put(Index::kRunsByStatus, "\x02r2", "wf"),
                     Put(Index::kRunsByStatus, "\x01r1", "wf"),
                     Put(Index::kRunsByStatus, "\x01r3", "other"),
                     Put(Index::kStartKeys, std::string("wf\0key", 6), "r1")};
  ASSERT_TRUE(AppendAndWait(this->log(), std::move(batch)).ok());

  std::string value;
  ASSERT_TRUE(this->log().GetIndex(Index::kStartKeys, std::string("wf\0key", 6), &value).ok());
  EXPECT_EQ(value, "r1");
  EXPECT_EQ(this->log().GetIndex(Index::kApprovalsByStatus, "\x01r1", &value).code(),
            StatusCode::kNotFound)
      << "indexes are separate key spaces";

  using Entries = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(this->Scan(Index::kRunsByStatus, "\x01"),
            (Entries{{"\x01r1", "wf"}, {"\x01r3", "other"}}));
  EXPECT_EQ(this->Scan(Index::kRunsByStatus, "").size(), 3u);

  int visited = 0;
  ASSERT_TRUE(this->log()
                  .ScanIndex(Index::kRunsByStatus, "",
                             [&](std::string_view, std::string_view) { return ++visited < 2; })
                  .ok());
  EXPECT_EQ(visited, 2) << "the scan stops when visit returns false";

  AppendBatch removal;
  removal.index_ops = {Delete(Index::kRunsByStatus, "\x01r1"),
                       Put(Index::kRunsByStatus, "\x02r1", "wf")};
  ASSERT_TRUE(AppendAndWait(this->log(), std::move(removal)).ok());
  EXPECT_EQ(this->log().GetIndex(Index::kRunsByStatus, "\x01r1", &value).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(this->Scan(Index::kRunsByStatus, "\x02"),
            (Entries{{"\x02r1", "wf"}, {"\x02r2", "wf"}}));
}

// Paged lists walk an index backwards from where the last page stopped (newest first, as ids
// sort by time), within one prefix, and never step into a neighbouring prefix.
TYPED_TEST(EventLogConformanceTest, ScanIndexFromAKeyInEitherDirection) {
  AppendBatch batch;
  for (std::string key : {"\x01" "a", "\x02" "a", "\x02" "b", "\x02" "c", "\x02" "d", "\x03" "a",
                          "\xff" "a", "\xff\xff"}) {
    batch.index_ops.push_back(Put(Index::kRunsByStatus, key, "v"));
  }
  ASSERT_TRUE(AppendAndWait(this->log(), std::move(batch)).ok());
  auto keys = [&](std::string_view prefix, std::string_view start_after, ScanDirection direction,
                  size_t max = 100) {
    std::vector<std::string> seen;
    Status s = this->log().ScanIndex(Index::kRunsByStatus, prefix, start_after, direction,
                                     [&](std::string_view key, std::string_view) {
                                       seen.emplace_back(key);
                                       return seen.size() < max;
                                     });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return seen;
  };
  using Keys = std::vector<std::string>;
  const auto kBack = ScanDirection::kBackward;
  const auto kFwd = ScanDirection::kForward;
  EXPECT_EQ(keys("\x02", "", kBack), (Keys{"\x02" "d", "\x02" "c", "\x02" "b", "\x02" "a"}));
  EXPECT_EQ(keys("\x02", "\x02" "c", kBack), (Keys{"\x02" "b", "\x02" "a"})) << "strictly before";
  EXPECT_EQ(keys("\x02", "\x02" "bb", kBack), (Keys{"\x02" "b", "\x02" "a"})) << "a key not stored";
  EXPECT_EQ(keys("\x02", "\x02" "a", kBack), Keys{}) << "nothing before the first";
  EXPECT_EQ(keys("\x02", "\x03", kBack).front(), "\x02" "d") << "a bound past the prefix";
  EXPECT_EQ(keys("\x02", "", kBack, 2), (Keys{"\x02" "d", "\x02" "c"})) << "visit stops it";
  EXPECT_EQ(keys("\x02", "\x02" "b", kFwd), (Keys{"\x02" "c", "\x02" "d"})) << "strictly after";
  EXPECT_EQ(keys("\x02", "\x01" "z", kFwd).size(), 4u) << "a bound before the prefix";
  EXPECT_EQ(keys("\xff", "", kBack), (Keys{"\xff\xff", "\xff" "a"})) << "a prefix of 0xff bytes";
  EXPECT_EQ(keys("", "", kBack).front(), "\xff\xff") << "the whole index, last first";
  EXPECT_EQ(keys("", "", kBack).size(), 8u);
  EXPECT_EQ(keys("\x04", "", kBack), Keys{}) << "an empty prefix range";
}

TYPED_TEST(EventLogConformanceTest, BatchIsVisibleWholeOnAck) {
  AppendBatch batch = MakeBatch("r1", 1, 2);
  batch.records.push_back(MakeRecord("r2", 1));
  batch.index_ops = {Put(Index::kRunsByStatus, "\x01r1", "wf"),
                     Put(Index::kApprovalsByStatus, "\x01q1", "r1")};
  ASSERT_TRUE(AppendAndWait(this->log(), std::move(batch)).ok());

  EXPECT_EQ(this->ReadOk("r1").size(), 2u);
  EXPECT_EQ(this->ReadOk("r2").size(), 1u);
  std::string value;
  EXPECT_TRUE(this->log().GetIndex(Index::kRunsByStatus, "\x01r1", &value).ok());
  EXPECT_TRUE(this->log().GetIndex(Index::kApprovalsByStatus, "\x01q1", &value).ok());
}

TYPED_TEST(EventLogConformanceTest, RejectedBatchWritesNothing) {
  AppendBatch batch = MakeBatch("r1", 1, 1);
  batch.records.push_back(Record{"r1", 2, MakeEvent("r1", 3)});  // envelope seq != seq
  batch.index_ops = {Put(Index::kRunsByStatus, "\x01r1", "wf")};
  Status status = AppendAndWait(this->log(), std::move(batch));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find("run r1 seq 2"), std::string::npos) << status.ToString();

  EXPECT_TRUE(this->ReadOk("r1").empty());
  std::string value;
  EXPECT_EQ(this->log().GetIndex(Index::kRunsByStatus, "\x01r1", &value).code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(AppendAndWait(this->log(), MakeBatch("r1", 1, 1)).ok())
      << "a rejected batch does not break the log";
}

TYPED_TEST(EventLogConformanceTest, RejectsRecordWhoseBodyIsMissing) {
  AppendBatch batch;
  batch.records.push_back(Record{"r1", 1, MakeEventWithoutBody("r1", 1)});
  Status status = AppendAndWait(this->log(), std::move(batch));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_TRUE(this->ReadOk("r1").empty());
}

TYPED_TEST(EventLogConformanceTest, RejectsRunIdWithSeparator) {
  std::string run_id("r\0x", 3);
  EXPECT_EQ(AppendAndWait(this->log(), MakeBatch(run_id, 1, 1)).code(),
            StatusCode::kInvalidArgument);
  std::vector<std::string> records;
  EXPECT_EQ(this->log().ReadRun(run_id, &records).code(), StatusCode::kInvalidArgument);
}

TYPED_TEST(EventLogConformanceTest, ConcurrentAppendsAllAcknowledgedInOrder) {
  constexpr int kThreads = 8;
  constexpr uint64_t kBatchesPerThread = 50;
  std::mutex mu;
  std::vector<std::vector<uint64_t>> acked(kThreads);  // guarded by mu: seqs in callback order
  std::vector<Status> failures;                        // guarded by mu
  Countdown all_acked(kThreads * kBatchesPerThread);

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string run_id = "run-" + std::to_string(t);
      for (uint64_t seq = 1; seq <= kBatchesPerThread; ++seq) {
        this->log().Append(MakeBatch(run_id, seq, seq), [&, t, seq](Status status) {
          {
            std::lock_guard<std::mutex> lock(mu);
            acked[t].push_back(seq);
            if (!status.ok()) failures.push_back(status);
          }
          all_acked.Done();
        });
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(all_acked.Wait()) << "not every append was acknowledged in time";

  std::vector<uint64_t> in_order;
  for (uint64_t seq = 1; seq <= kBatchesPerThread; ++seq) in_order.push_back(seq);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_TRUE(failures.empty()) << failures.front().ToString();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(acked[t], in_order) << "thread " << t << ": each callback once, in order";
    EXPECT_EQ(this->ReadOk("run-" + std::to_string(t)).size(), kBatchesPerThread);
  }
}

TYPED_TEST(EventLogConformanceTest, DefinitionsScanGroupedByNameVersionsAscending) {
  // 256 sorts after 2 only if versions compare as numbers; "a" before "a b" only if the name
  // ends at the separator.
  for (auto [name, version] : {std::tuple{"b", 2u}, std::tuple{"a", 256u}, std::tuple{"b", 1u},
                               std::tuple{"a b", 1u}, std::tuple{"a", 2u}}) {
    ASSERT_TRUE(
        this->log().PutDefinition(name, version, "{\"v\":" + std::to_string(version) + "}").ok());
  }

  std::vector<std::tuple<std::string, uint32_t, std::string>> seen;
  ASSERT_TRUE(
      this->log()
          .ScanDefinitions([&](std::string_view name, uint32_t version, std::string_view json) {
            seen.emplace_back(name, version, json);
          })
          .ok());
  using Row = std::tuple<std::string, uint32_t, std::string>;
  EXPECT_EQ(seen, (std::vector<Row>{{"a", 2, "{\"v\":2}"},
                                    {"a", 256, "{\"v\":256}"},
                                    {"a b", 1, "{\"v\":1}"},
                                    {"b", 1, "{\"v\":1}"},
                                    {"b", 2, "{\"v\":2}"}}));
}

}  // namespace
}  // namespace assent::storage
