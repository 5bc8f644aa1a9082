#include "engine/internal/http_wire_request.h"

#include <boost/beast/http/write.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace assent::engine {
namespace {

using ::testing::HasSubstr;

HttpCallRequest Request(std::string method, std::string url, std::string body = "",
                        std::vector<std::pair<std::string, std::string>> headers = {}) {
  return HttpCallRequest{std::move(method), std::move(url), std::move(body), std::move(headers)};
}

std::string Error(const HttpCallRequest& request) {
  auto wire = BuildWireRequest(request);
  return wire.ok() ? "(built)" : wire.status().message();
}

TEST(HttpWireRequestTest, BuildsTheRequestLineHostAndFields) {
  auto wire = BuildWireRequest(Request("POST", "http://[::1]:8080/pay/a%20b?x=1#frag", "{}",
                                       {{"X-Api-Key", "k"}, {"Idempotency-Key", "r/s/1"}}));
  ASSERT_TRUE(wire.ok()) << wire.status().ToString();
  EXPECT_EQ(wire->host.ToString(), "[::1]:8080");
  std::ostringstream out;
  out << wire->message;
  EXPECT_EQ(out.str(),
            "POST /pay/a%20b?x=1 HTTP/1.1\r\nHost: [::1]:8080\r\nUser-Agent: assent\r\n"
            "Accept: application/json\r\nX-Api-Key: k\r\nIdempotency-Key: r/s/1\r\n"
            "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
}

TEST(HttpWireRequestTest, RefusesWhatCouldSplitTheRequestNamingTheField) {
  EXPECT_THAT(Error(Request("GET / HTTP/1.1\r\n", "http://h/")), HasSubstr("method contains"));
  EXPECT_THAT(Error(Request("GET", "http://h/", "", {{"X-V", "a\r\nX-Injected: yes"}})),
              HasSubstr("header 'X-V': value contains CR (0x0D) at offset 1"));
  EXPECT_THAT(Error(Request("GET", "http://h/", "", {{"Transfer-Encoding", "chunked"}})),
              HasSubstr("header 'Transfer-Encoding': frames the request"));
  EXPECT_THAT(Error(Request("GET", "http://h/a\r\nX: y")), HasSubstr("url: contains CR"));
}

// Beast throws where these would have gone on: a field of 64 KiB or more, and a TRACE with a
// body. An exception on a shard's thread would end the server.
TEST(HttpWireRequestTest, RefusesWhatBeastCannotBuildInsteadOfThrowing) {
  EXPECT_THAT(Error(Request("GET", "http://h/", "", {{"X-V", std::string(70'000, 'a')}})),
              HasSubstr("header 'X-V': value is 70000 bytes; at most 8192"));
  EXPECT_THAT(Error(Request("GET", "http://h/", "", {{std::string(70'000, 'a'), "v"}})),
              HasSubstr("name is 70000 bytes; at most 256"));
  EXPECT_EQ(Error(Request("GET", "http://h/", "", {{"X-V", std::string(8192, 'a')}})), "(built)");
  EXPECT_THAT(Error(Request("TRACE", "http://h/", "{}")), HasSubstr("TRACE cannot carry a body"));
  EXPECT_EQ(Error(Request("TRACE", "http://h/")), "(built)");
}

}  // namespace
}  // namespace assent::engine
