// A data dir written before the audit index (tests/golden/v2: events and index entries, no
// audit entries) gets them when an engine opens it: exactly the entries today's commits write
// for the same events (tests/golden/v3), with the marker that keeps it from running again, and
// `assent verify` finds the index and the events agree.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/internal/index_keys.h"
#include "engine/internal/open_engine.h"
#include "storage/mem_event_log.h"
#include "tests/golden/golden_file.h"
#include "tests/storage/test_events.h"

namespace assent::golden {
namespace {

const std::string kDir = std::string(ASSENT_SOURCE_DIR) + "/tests/golden";

// The v2 data dir: its events and every index entry it had.
void LoadV2(storage::EventLog& log) {
  storage::AppendBatch batch;
  ASSERT_TRUE(AddEventRecords(ReadEntries(kDir + "/v2/events.bin"), batch));
  for (const auto& [key, value] : ReadEntries(kDir + "/v2/indexes.bin")) {
    batch.index_ops.push_back({static_cast<storage::Index>(key[0]), key.substr(1), value});
  }
  ASSERT_TRUE(storage::testing::AppendAndWait(log, std::move(batch)).ok());
}

Entries AuditEntries(storage::EventLog& log) {
  Entries entries;
  Status scanned = log.ScanIndex(storage::Index::kAudit, "", [&](auto key, auto value) {
    entries.emplace_back(key, value);
    return true;
  });
  EXPECT_TRUE(scanned.ok());
  return entries;
}

TEST(AuditBackfillTest, OpeningAnOlderDataDirWritesTodaysEntriesOnce) {
  storage::MemEventLog log;
  LoadV2(log);
  ASSERT_TRUE(AuditEntries(log).empty());

  Entries expected{{std::string(engine::kAuditBackfilledKey), ""}};
  for (const auto& [key, value] : ReadEntries(kDir + "/v3/indexes.bin")) {
    if (key[0] == static_cast<char>(storage::Index::kAudit)) {
      expected.emplace_back(key.substr(1), value);
    }
  }
  ASSERT_EQ(expected.size(), 1u + 7 * 2 + 4) << "7 events, 4 of them naming their actor";

  {
    engine::EngineOptions options;
    options.shards = 1;
    auto engine = engine::OpenEngine(log, options, {});
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  }
  EXPECT_EQ(AuditEntries(log), expected);

  auto report = engine::VerifyLog(log);
  ASSERT_TRUE(report.ok());
  // The golden data holds no workflow definitions, which verify names; nothing of the audit.
  EXPECT_THAT(report->problems, ::testing::Each(::testing::HasSubstr("cannot be read")));
}

}  // namespace
}  // namespace assent::golden
