#include "engine/internal/http_fields.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace assent::engine {
namespace {

using ::testing::HasSubstr;
using namespace std::string_literals;

TEST(HttpFieldsTest, TokensAreTheRfc9110Characters) {
  EXPECT_TRUE(IsHttpToken("X-Request-Id"));
  EXPECT_TRUE(IsHttpToken("!#$%&'*+-.^_`|~09azAZ"));
  for (std::string bad : {""s, "a b"s, "a:b"s, "a\r\nb"s, "a\0b"s, "{{input.h}}"s, "é"s, "a\tb"s}) {
    EXPECT_FALSE(IsHttpToken(bad)) << bad;
  }
}

TEST(HttpFieldsTest, MethodsAreTokens) {
  EXPECT_TRUE(CheckMethod("PATCH").ok());
  EXPECT_TRUE(CheckMethod("PROPFIND").ok());
  EXPECT_THAT(CheckMethod("GET /smuggled HTTP/1.1\r\nX: y").message(),
              HasSubstr("method contains a space (0x20) at offset 3"));
  EXPECT_THAT(CheckMethod("").message(), HasSubstr("method is empty"));
}

TEST(HttpFieldsTest, FieldNamesAreTokensAndNeverFrameTheMessage) {
  EXPECT_TRUE(CheckFieldName("X-Api-Key").ok());
  EXPECT_TRUE(CheckFieldName("Authorization").ok());
  EXPECT_THAT(CheckFieldName("X-A\r\nX-Injected").message(),
              HasSubstr("name contains CR (0x0D) at offset 3"));
  EXPECT_THAT(CheckFieldName("X-A:").message(), HasSubstr("byte 0x3A at offset 3"));
  EXPECT_THAT(CheckFieldName("").message(), HasSubstr("name is empty"));
  for (const char* framing : {"Host", "content-length", "Transfer-Encoding", "CONNECTION",
                              "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade"}) {
    EXPECT_THAT(CheckFieldName(framing).message(), HasSubstr("only Assent sets it")) << framing;
  }
}

TEST(HttpFieldsTest, FieldsHaveALength) {
  EXPECT_TRUE(CheckFieldName(std::string(kMaxFieldNameBytes, 'a')).ok());
  EXPECT_THAT(CheckFieldName(std::string(kMaxFieldNameBytes + 1, 'a')).message(),
              HasSubstr("name is 257 bytes; at most 256"));
  EXPECT_TRUE(CheckFieldValue(std::string(kMaxFieldValueBytes, 'a')).ok());
  EXPECT_THAT(CheckFieldValue(std::string(kMaxFieldValueBytes + 1, 'a')).message(),
              HasSubstr("value is 8193 bytes; at most 8192"));
}

TEST(HttpFieldsTest, FieldValuesRefuseEveryControlButTab) {
  EXPECT_TRUE(CheckFieldValue("").ok());
  EXPECT_TRUE(CheckFieldValue("Bearer abc.def~ ghi\tjkl").ok());
  EXPECT_TRUE(CheckFieldValue("Zürich \xF0\x9F\x92\xB6").ok());  // obs-text passes
  EXPECT_THAT(CheckFieldValue("a\r\nX-Injected: yes").message(),
              HasSubstr("value contains CR (0x0D) at offset 1"));
  EXPECT_THAT(CheckFieldValue("a\nb").message(), HasSubstr("LF (0x0A) at offset 1"));
  EXPECT_THAT(CheckFieldValue("ab\0"s).message(), HasSubstr("NUL (0x00) at offset 2"));
  for (char c = 1; c < 0x20; ++c) {
    if (c == '\t') continue;
    EXPECT_FALSE(CheckFieldValue("x"s + c).ok()) << static_cast<int>(c);
  }
  EXPECT_THAT(CheckFieldValue("x\x7F").message(), HasSubstr("byte 0x7F at offset 1"));
}

}  // namespace
}  // namespace assent::engine
