#include "engine/internal/host_allow_list.h"

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace assent::engine {
namespace {

using ::testing::HasSubstr;

HostAllowList List(const char* json) {
  Result<HostAllowList> list = HostAllowList::Parse(boost::json::parse(json));
  EXPECT_TRUE(list.ok()) << list.status().ToString();
  return list.ok() ? *list : HostAllowList{};
}

std::string ParseError(const char* json) {
  Result<HostAllowList> list = HostAllowList::Parse(boost::json::parse(json));
  return list.ok() ? "(parsed)" : list.status().message();
}

bool Allows(const HostAllowList& list, const char* url) {
  Result<OutboundUrl> parsed = ParseOutboundUrl(url);
  EXPECT_TRUE(parsed.ok()) << url << ": " << parsed.status().ToString();
  return parsed.ok() && list.Allows(parsed->host);
}

TEST(HostAllowListTest, NamesMatchCaseInsensitivelyOnTheirPort) {
  HostAllowList list = List(R"(["API.example.com", "api.example.com:8443"])");
  EXPECT_TRUE(Allows(list, "http://api.example.com/x"));
  EXPECT_TRUE(Allows(list, "http://Api.Example.COM:80/x"));
  EXPECT_TRUE(Allows(list, "http://api.example.com:8443/x"));
  EXPECT_FALSE(Allows(list, "http://api.example.com:8080/x"));  // no port: 80 only
  EXPECT_FALSE(Allows(list, "http://api.example.com.evil.example/x"));
  EXPECT_FALSE(Allows(list, "http://xapi.example.com/x"));
  EXPECT_FALSE(Allows(list, "http://sub.api.example.com/x"));
}

TEST(HostAllowListTest, AWildcardCoversNamesBelowItButNotItself) {
  HostAllowList list = List(R"(["*.payments.example.com"])");
  EXPECT_TRUE(Allows(list, "http://eu.payments.example.com/"));
  EXPECT_TRUE(Allows(list, "http://a.b.payments.example.com/"));
  EXPECT_FALSE(Allows(list, "http://payments.example.com/"));
  EXPECT_FALSE(Allows(list, "http://evilpayments.example.com/"));
  EXPECT_FALSE(Allows(list, "http://eu.payments.example.com:8080/"));
}

TEST(HostAllowListTest, AddressesMatchByValue) {
  HostAllowList list = List(R"(["127.0.0.1:8080", "[::1]:8080"])");
  EXPECT_TRUE(Allows(list, "http://127.0.0.1:8080/"));
  EXPECT_TRUE(Allows(list, "http://[0:0:0:0:0:0:0:1]:8080/"));
  EXPECT_FALSE(Allows(list, "http://127.0.0.1/"));
  EXPECT_FALSE(Allows(list, "http://127.0.0.2:8080/"));
  EXPECT_FALSE(Allows(list, "http://localhost:8080/"));  // names and addresses never mix
  EXPECT_FALSE(Allows(list, "http://[::ffff:127.0.0.1]:8080/"));
}

TEST(HostAllowListTest, RefusesEntriesThatAreNotAHostAndPort) {
  EXPECT_THAT(ParseError(R"([])"), HasSubstr("non-empty array"));
  EXPECT_THAT(ParseError(R"("api.example.com")"), HasSubstr("non-empty array"));
  EXPECT_THAT(ParseError(R"([7])"), HasSubstr("must be strings"));
  EXPECT_THAT(ParseError(R"(["http://api.example.com"])"), HasSubstr("entry 'http://api.example.com'"));
  EXPECT_THAT(ParseError(R"(["u@api.example.com"])"), HasSubstr("user info"));
  EXPECT_THAT(ParseError(R"(["2852039166"])"), HasSubstr("reads as a number"));
  EXPECT_THAT(ParseError(R"(["*"])"), HasSubstr("entry '*'"));
  EXPECT_THAT(ParseError(R"(["*.127.0.0.1"])"), HasSubstr("not an address"));
  EXPECT_THAT(ParseError(R"(["*.[::1]"])"), HasSubstr("not an address"));
  EXPECT_THAT(ParseError(R"(["a.example:0"])"), HasSubstr("port '0'"));
  EXPECT_THAT(ParseError(R"(["a.example/x"])"), HasSubstr("not a host"));
}

}  // namespace
}  // namespace assent::engine
