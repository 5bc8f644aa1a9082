#include "engine/internal/outbound_url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace assent::engine {
namespace {

using ::testing::HasSubstr;
using namespace std::string_literals;

std::string Error(std::string_view url) {
  Result<OutboundUrl> parsed = ParseOutboundUrl(url);
  return parsed.ok() ? "(parsed)" : parsed.status().message();
}

TEST(OutboundUrlTest, ParsesWhatARequestLineAndHostHeaderNeed) {
  Result<OutboundUrl> url = ParseOutboundUrl("http://API.Example.com:8080/pay/%20x?a=1&b=%2F#frag");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->host.kind, OutboundHost::Kind::kName);
  EXPECT_EQ(url->host.host, "api.example.com");
  EXPECT_EQ(url->host.port, 8080);
  EXPECT_EQ(url->host_header, "API.Example.com:8080");
  EXPECT_EQ(url->target, "/pay/%20x?a=1&b=%2F");  // the fragment is not sent

  EXPECT_EQ(ParseOutboundUrl("http://127.0.0.1")->target, "/");
  EXPECT_EQ(ParseOutboundUrl("http://127.0.0.1?q=1")->target, "/?q=1");
  EXPECT_EQ(ParseOutboundUrl("http://127.0.0.1")->host.port, 80);
  Result<OutboundUrl> v6 = ParseOutboundUrl("http://[0:0::1]:9/x");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host.kind, OutboundHost::Kind::kIpv6);
  EXPECT_EQ(v6->host.host, "::1");
  EXPECT_EQ(v6->host.ToString(), "[::1]:9");
}

TEST(OutboundUrlTest, RefusesBytesThatEndALineOrSplitTheTarget) {
  EXPECT_THAT(Error("http://127.0.0.1/a\r\nX-Injected: yes"), HasSubstr("CR (0x0D) at offset 18"));
  EXPECT_THAT(Error("http://127.0.0.1/a\nb"), HasSubstr("LF (0x0A)"));
  EXPECT_THAT(Error("http://127.0.0.1/a\0b"s), HasSubstr("NUL (0x00)"));
  EXPECT_THAT(Error("http://127.0.0.1/a b HTTP/1.1"), HasSubstr("a space (0x20) at offset 18"));
  EXPECT_THAT(Error("http://127.0.0.1/caf\xC3\xA9"), HasSubstr("byte 0xC3 at offset 20"));
  EXPECT_THAT(Error("http://127.0.0.1/a%zz"), HasSubstr("not an absolute URL"));
  EXPECT_THAT(Error("http://127.0.0.1/a|b"), HasSubstr("not an absolute URL"));
}

TEST(OutboundUrlTest, HttpsUsesTlsAndPort443ByDefault) {
  auto url = ParseOutboundUrl("https://API.example.com/pay?x=1");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host.ToString(), "api.example.com:443");
  EXPECT_EQ(url->target, "/pay?x=1");
  auto plain = ParseOutboundUrl("http://api.example.com/");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->host.port, 80);
  EXPECT_EQ(ParseOutboundUrl("https://[::1]:8443/")->host.ToString(), "[::1]:8443");
}

TEST(OutboundUrlTest, RefusesOtherSchemesUserInfoAndBadPorts) {
  EXPECT_THAT(Error("ftp://example.com/"), HasSubstr("must be an http:// or https:// URL"));
  EXPECT_THAT(Error("http:/x"), HasSubstr("must be an http:// or https:// URL"));
  EXPECT_THAT(Error("/relative"), HasSubstr("not an absolute URL"));
  EXPECT_THAT(Error("http://allowed.example@evil.example/"), HasSubstr("user info"));
  EXPECT_THAT(Error("http://h:0/"), HasSubstr("port '0'"));
  EXPECT_THAT(Error("http://h:65536/"), HasSubstr("port '65536'"));
  EXPECT_THAT(Error("http://h:/"), HasSubstr("port ''"));
  EXPECT_THAT(Error("http:///path"), HasSubstr("no host"));
  EXPECT_THAT(Error("http://[v1.x]/"), HasSubstr("no host"));
}

TEST(OutboundUrlTest, RefusesHostsThatReadAsNumbersOrAreEncoded) {
  for (const char* url : {"http://2852039166/", "http://0xA9FEA9FE/", "http://0xa9fea9fe:80/",
                          "http://0251.0376.0251.0376/", "http://169.254.43518/",
                          "http://0x/", "http://127.1/", "http://metadata.0x10/"}) {
    EXPECT_THAT(Error(url), HasSubstr("reads as a number")) << url;
  }
  for (const char* url : {"http://169.254.169.254./", "http://1.2.3.4.5/", "http://1.2.3.4x/",
                          "http://127.0.0.1.evil.example/", "http://[::1]x/", "http://h:80x/"}) {
    EXPECT_THAT(Error(url), HasSubstr("host or port is followed by")) << url;
  }
  EXPECT_THAT(Error("http://169%2E254%2E169%2E254/"), HasSubstr("may contain only"));
  EXPECT_THAT(Error("http://a*b.example/"), HasSubstr("may contain only"));
  EXPECT_TRUE(ParseOutboundUrl("http://1x.example/").ok());
  EXPECT_TRUE(ParseOutboundUrl("http://api.0xg/").ok());  // not hex after 0x: a name
}

TEST(OutboundUrlTest, RefusesDotSegmentsHoweverSpelt) {
  EXPECT_THAT(Error("http://h/a/../admin"), HasSubstr("'..' segment"));
  EXPECT_THAT(Error("http://h/a/%2e%2E/admin"), HasSubstr("'%2e%2E' segment"));
  EXPECT_THAT(Error("http://h/./a"), HasSubstr("'.' segment"));
  EXPECT_THAT(Error("http://h/a/%2E"), HasSubstr("'%2E' segment"));
  EXPECT_THAT(Error("http://h/a/.%2e?x"), HasSubstr("'.%2e' segment"));
  EXPECT_TRUE(ParseOutboundUrl("http://h/a/..b/.c").ok());
}

TEST(OutboundUrlTest, AuthoritiesFollowTheSameRules) {
  Result<OutboundHost> host = ParseOutboundAuthority("127.0.0.1:8080");
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->ToString(), "127.0.0.1:8080");
  EXPECT_EQ(ParseOutboundAuthority("[::1]")->ToString(), "[::1]:80");
  EXPECT_FALSE(ParseOutboundAuthority("2852039166").ok());
  EXPECT_FALSE(ParseOutboundAuthority("u@h").ok());
  EXPECT_FALSE(ParseOutboundAuthority("h/x").ok());
  EXPECT_FALSE(ParseOutboundAuthority("h\r\n").ok());
}

}  // namespace
}  // namespace assent::engine
