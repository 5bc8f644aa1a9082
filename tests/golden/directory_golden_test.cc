// The directory's events (schemas/event.fbs UserAdded ... TokenRevoked) as the version that
// added them wrote them: tests/golden/directory_v1/events.bin holds one entry per event of the
// stream "~directory" (key: the seq as text; value: the event's bytes). Today's code must read
// them (verifier, then the directory's fold) to the state they meant, and today's encoders must
// still write those bytes. The file is never rewritten; ASSENT_WRITE_GOLDEN_DIRECTORY=<dir>
// writes today's bytes into <dir> when a new version of the file is due.
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/internal/directory_events.h"
#include "engine/internal/directory_state.h"
#include "engine/internal/token_text.h"
#include "schemas/event_generated.h"
#include "tests/golden/golden_file.h"

namespace assent::golden {
namespace {

constexpr int64_t kStartMs = 1764000000000;  // 2025-11-24, fixed so the bytes never vary

std::string GoldenFile() {
  return std::string(ASSENT_SOURCE_DIR) + "/tests/golden/directory_v1/events.bin";
}

// Every directory event type, in an order that uses each meaningfully.
Entries TodaysEvents() {
  using namespace engine;
  SecretHash hash = HashSecret(std::string(64, 'a')).value();
  std::vector<std::string> events = {
      EncodeUserAdded({1, kStartMs, "admin"}, UserView{"alice", {"finance", "ops"}, false, false}),
      EncodeTokenIssued({2, kStartMs, "admin"}, "00000000000000a1", "alice", "default", hash, 0),
      EncodeUserAdded({3, kStartMs + 1, "admin"}, UserView{"ci", {}, true, false}),
      EncodeTokenIssued({4, kStartMs + 1, "admin"}, "00000000000000c1", "ci", "default", hash,
                        kStartMs + 90LL * 86400 * 1000),
      EncodeUserAdded({5, kStartMs + 2, "admin"}, UserView{"root", {}, false, true}),
      EncodeUserGroupsChanged({6, kStartMs + 3, "root"}, "alice", {"audit"}),
      EncodeTokenRevoked({7, kStartMs + 4, "root"}, "00000000000000a1"),
      EncodeUserRemoved({8, kStartMs + 5, "root"}, "ci"),
  };
  Entries entries;
  for (size_t i = 0; i < events.size(); ++i) entries.emplace_back(std::to_string(i + 1), events[i]);
  return entries;
}

TEST(DirectoryGoldenTest, StoredEventsReadAsTheyMeant) {
  if (const char* dir = std::getenv("ASSENT_WRITE_GOLDEN_DIRECTORY")) {
    WriteEntries(std::string(dir) + "/events.bin", TodaysEvents());
  }
  Entries stored = ReadEntries(GoldenFile());
  ASSERT_EQ(stored.size(), 8u);
  engine::DirectoryState state;
  for (const auto& [seq, bytes] : stored) {
    flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    ASSERT_TRUE(fb::VerifyEventBuffer(verifier)) << "event " << seq;
    const fb::Event& event = *fb::GetEvent(bytes.data());
    EXPECT_EQ(std::to_string(event.seq()), seq);
    EXPECT_EQ(event.run_id()->string_view(), "~directory");
    engine::Apply(state, event);
  }

  // The meaning, pinned by hand.
  EXPECT_EQ(state.last_seq, 8u);
  const engine::UserRecord& alice = state.users.at("alice");
  EXPECT_EQ(alice.view.groups, (std::vector<std::string>{"audit"}));
  EXPECT_EQ(alice.created_at_ms, kStartMs);
  EXPECT_EQ(alice.created_by, "admin");
  EXPECT_FALSE(alice.removed);
  EXPECT_TRUE(state.users.at("ci").view.service);
  EXPECT_TRUE(state.users.at("ci").removed);
  EXPECT_TRUE(state.users.at("root").view.admin);
  const engine::TokenRecord& first = state.tokens.at("00000000000000a1");
  EXPECT_EQ(first.view.user_id, "alice");
  EXPECT_EQ(first.view.name, "default");
  EXPECT_FALSE(first.view.expires_at_ms);
  EXPECT_EQ(first.view.revoked_at_ms, kStartMs + 4);
  EXPECT_TRUE(engine::SecretMatches(std::string(64, 'a'), first.secret_sha256));
  const engine::TokenRecord& robot = state.tokens.at("00000000000000c1");
  EXPECT_EQ(robot.view.expires_at_ms, kStartMs + 90LL * 86400 * 1000);
  EXPECT_EQ(robot.view.revoked_at_ms, kStartMs + 5) << "removing a user revokes their tokens";
}

TEST(DirectoryGoldenTest, TodaysEncodersWriteTheSameBytes) {
  EXPECT_EQ(ReadEntries(GoldenFile()), TodaysEvents())
      << "a directory event encodes differently now: old data dirs hold the old bytes, so add "
         "a new golden version rather than rewrite this one";
}

}  // namespace
}  // namespace assent::golden
