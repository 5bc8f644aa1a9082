// The notify outbox's entries (storage::Index::kNotifyOutbox: delivery id -> NotifyDelivery)
// as this version wrote them, in tests/golden/notify/outbox.bin: a delivery recorded before an
// upgrade must still be read, and sent, after it. The file is never rewritten;
// ASSENT_WRITE_GOLDEN=<dir> writes today's entries into <dir>/outbox.bin for a new version.
#include <cstdlib>

#include <gtest/gtest.h>

#include "engine/internal/notify_outbox.h"
#include "tests/golden/golden_file.h"

namespace assent::golden {
namespace {

using engine::OutboxDelivery;
using engine::WebhookFormat;

// What the file holds, field by field: both formats, with and without a CA file, and a body
// with bytes JSON escapes.
std::vector<OutboxDelivery> Deliveries() {
  return {
      {"run_0000000000010000000000000001.3.requested.1", "invoice-payment", 1, 0,
       "https://hooks.example/T1", WebhookFormat::kJson, "",
       R"({"type":"approval.requested","delivery_id":"run_0000000000010000000000000001.3.requested.1"})",
       1'764'460'800'000},
      {"run_0000000000010000000000000001.3.decided.2", "invoice-payment", 1, 1,
       "https://hooks.slack.example/services/T/B/X", WebhookFormat::kSlack,
       "/etc/assent/private-ca.pem", "{\"text\":\"Approval decided: \\u00e9 \\\"quoted\\\"\"}",
       1'764'460'801'234},
  };
}

TEST(NotifyOutboxGoldenTest, EntriesWrittenByThisVersionStillDecode) {
  const std::string path = std::string(ASSENT_SOURCE_DIR) + "/tests/golden/notify/outbox.bin";
  if (const char* dir = std::getenv("ASSENT_WRITE_GOLDEN")) {
    Entries today;
    for (const OutboxDelivery& delivery : Deliveries()) {
      today.emplace_back(delivery.id, engine::EncodeDelivery(delivery));
    }
    WriteEntries(std::string(dir) + "/outbox.bin", today);
  }
  Entries stored = ReadEntries(path);
  std::vector<OutboxDelivery> expected = Deliveries();
  ASSERT_EQ(stored.size(), expected.size());
  for (size_t i = 0; i < stored.size(); ++i) {
    EXPECT_EQ(stored[i].first, expected[i].id);
    Result<OutboxDelivery> decoded = engine::DecodeDelivery(stored[i].second);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, expected[i]) << "entry " << i;
  }
}

}  // namespace
}  // namespace assent::golden
