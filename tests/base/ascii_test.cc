#include "base/ascii.h"

#include <gtest/gtest.h>

#include <string>

namespace assent {
namespace {

TEST(AsciiTest, LowersAsciiLettersOnly) {
  EXPECT_EQ(AsciiLower("Content-Type: X-Hub-Signature-256"), "content-type: x-hub-signature-256");
  EXPECT_EQ(AsciiLower("@[`{"), "@[`{");  // the neighbours of 'A'-'Z' and 'a'-'z'
  EXPECT_EQ(AsciiLower(""), "");
  // UTF-8 passes through byte for byte: "ÄÖ" stays as it was.
  EXPECT_EQ(AsciiLower("\xC3\x84\xC3\x96"), "\xC3\x84\xC3\x96");
}

TEST(AsciiTest, EveryByteValue) {
  for (int byte = 0; byte <= 0xFF; ++byte) {
    const char c = static_cast<char>(byte);
    const char expected = byte >= 'A' && byte <= 'Z' ? static_cast<char>(byte + 32) : c;
    EXPECT_EQ(AsciiLower(std::string(1, c)), std::string(1, expected)) << "byte " << byte;
  }
}

}  // namespace
}  // namespace assent
