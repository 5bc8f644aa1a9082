#include "base/utf8.h"

#include <gtest/gtest.h>

#include <string>

#include <boost/json/parse.hpp>

namespace assent {
namespace {

// What Boost.JSON accepts inside a string, the definition IsValidUtf8 must agree with.
bool BoostAccepts(const std::string& text) {
  boost::system::error_code ec;
  boost::json::parse("\"" + text + "\"", ec);
  return !ec;
}

TEST(Utf8Test, AgreesWithBoostJsonOnEveryLeadAndSecondByte) {
  // The second byte decides validity for every lead byte (overlongs, surrogates, > U+10FFFF);
  // later bytes are plain continuations.
  for (int lead = 0x80; lead <= 0xFF; ++lead) {
    for (int second = 0; second <= 0xFF; ++second) {
      if (second == '"' || second == '\\' || second < 0x20) continue;  // JSON's own rules
      std::string text{static_cast<char>(lead), static_cast<char>(second), '\x80', '\x80'};
      for (size_t length = 2; length <= 4; ++length) {
        std::string prefix = text.substr(0, length);
        EXPECT_EQ(IsValidUtf8(prefix), BoostAccepts(prefix))
            << std::hex << lead << " " << second << " length " << length;
      }
    }
  }
}

TEST(Utf8Test, FindsABadByteAtAnyOffsetOfLongText) {
  // ASCII is skipped eight bytes at a time: a bad or a multi-byte sequence may sit anywhere.
  const std::string ascii(40, 'a');
  for (size_t offset = 0; offset < ascii.size(); ++offset) {
    std::string bad = ascii;
    bad[offset] = '\xff';
    EXPECT_FALSE(IsValidUtf8(bad)) << "offset " << offset;
    std::string cut = ascii.substr(0, offset) + "\xc3";  // a sequence cut short at the end
    EXPECT_FALSE(IsValidUtf8(cut)) << "offset " << offset;
    std::string good = ascii;
    good.insert(offset, "\xe2\x82\xac");  // a euro sign
    EXPECT_TRUE(IsValidUtf8(good)) << "offset " << offset;
    std::string overlong = ascii;
    overlong.insert(offset, "\xc0\xaf");
    EXPECT_FALSE(IsValidUtf8(overlong)) << "offset " << offset;
  }
  EXPECT_TRUE(IsValidUtf8(ascii));
  EXPECT_TRUE(IsValidUtf8(""));
}

TEST(Utf8Test, ReplacesEachInvalidByte) {
  EXPECT_EQ(ToValidUtf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(ToValidUtf8("a\xff" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(ToValidUtf8("\xe2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // a cut-short sequence
  EXPECT_EQ(ToValidUtf8("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  EXPECT_TRUE(IsValidUtf8(ToValidUtf8("\xc0\xaf\xf5\x80")));
}

}  // namespace
}  // namespace assent
