#include "storage/internal/chunks.h"

#include <gtest/gtest.h>

#include "storage/internal/keys.h"

namespace assent::storage::internal {
namespace {

TEST(ChunksTest, GroupsConsecutiveRecordsOfOneRun) {
  std::vector<Record> records{{"a", 1, "one"}, {"a", 2, "two"}, {"b", 1, "other"},
                              {"a", 3, "three"}, {"a", 5, "five"}};
  std::vector<Chunk> chunks = EncodeChunks(records);
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(chunks[0].key, EventKey("a", 1));
  EXPECT_EQ(chunks[1].key, EventKey("b", 1));
  EXPECT_EQ(chunks[2].key, EventKey("a", 3));
  EXPECT_EQ(chunks[3].key, EventKey("a", 5));  // a gap in seqs starts a new chunk

  std::vector<std::string_view> decoded;
  ASSERT_TRUE(DecodeChunk(chunks[0].value, &decoded));
  EXPECT_EQ(decoded, (std::vector<std::string_view>{"one", "two"}));
}

TEST(ChunksTest, RejectsBrokenFraming) {
  std::string value = EncodeChunks({Record{"a", 1, "payload"}}).at(0).value;
  std::vector<std::string_view> decoded;
  EXPECT_FALSE(DecodeChunk("", &decoded));
  EXPECT_FALSE(DecodeChunk(value.substr(0, 3), &decoded));
  EXPECT_FALSE(DecodeChunk(value.substr(0, value.size() - 1), &decoded));
  EXPECT_FALSE(DecodeChunk(std::string(4, '\0'), &decoded));  // a zero-length record
  EXPECT_TRUE(DecodeChunk(value + value, &decoded));
  EXPECT_EQ(decoded.size(), 2u);
}

}  // namespace
}  // namespace assent::storage::internal
