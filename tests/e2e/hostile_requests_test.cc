// Requests an attacker crafts byte by byte, sent raw to the real server: framing that two
// parsers could read differently (request smuggling, RFC 9112 §6), a missing or doubled Host
// (§3.2), and bytes that are not UTF-8 in paths, queries and headers, which must never make
// the server write JSON a client cannot parse.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/raw_connection.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

constexpr char kToken[] = "hostile-test-token";
constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

class HostileRequestsTest : public ::testing::Test {
 protected:
  HostileRequestsTest()
      : server_(std::vector<std::string>{"serve", "--data", data_.str(), "--listen", "127.0.0.1:0",
                                         "--admin-token", kToken, "--log-level", "debug"}) {}

  std::string Auth() const { return std::string("Authorization: Bearer ") + kToken + "\r\n"; }

  // Sends `request` on a fresh connection and reads one response.
  RawResponse Send(const std::string& request) {
    RawConnection connection(server_.port());
    connection.Send(request);
    return connection.ReadResponse();
  }

  // Sends `request` and expects one error response with `status`, after which the server closes
  // the connection without answering anything that followed on it.
  json::value ExpectRefusedAndClosed(const std::string& request, unsigned status) {
    RawConnection connection(server_.port());
    connection.Send(request);
    RawResponse response = connection.ReadResponse();
    EXPECT_EQ(response.status, status) << request << "\n" << response.body;
    EXPECT_EQ(response.headers["connection"], "close") << request;
    EXPECT_TRUE(connection.WaitClosed()) << "still open after refusing:\n" << request;
    return ParseStrict(response.body);
  }

  // The body as JSON; Boost.JSON refuses a document that is not valid UTF-8.
  static json::value ParseStrict(const std::string& body) {
    boost::system::error_code ec;
    json::value value = json::parse(body, ec);
    EXPECT_FALSE(ec) << "not valid JSON (" << ec.message() << "): " << body;
    return value;
  }

  TempDir data_;
  ServerProcess server_;
};

TEST_F(HostileRequestsTest, TransferEncodingWithContentLengthIsRefused) {
  // Either order; the smuggled second request must never be answered.
  const std::string smuggled = "GET /v1/runs HTTP/1.1\r\nHost: a\r\n" + Auth() + "\r\n";
  ExpectRefusedAndClosed("POST /v1/runs/r/cancel HTTP/1.1\r\nHost: a\r\n" + Auth() +
                             "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n" +
                             smuggled,
                         400);
  ExpectRefusedAndClosed("POST /v1/runs/r/cancel HTTP/1.1\r\nHost: a\r\n" + Auth() +
                             "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
                             smuggled,
                         400);
  json::value body = ExpectRefusedAndClosed(
      "POST /v1/runs/r/cancel HTTP/1.1\r\nHost: a\r\n" + Auth() +
          "Transfer-Encoding: gzip\r\nContent-Length: " + std::to_string(smuggled.size()) +
          "\r\n\r\n" + smuggled,
      400);
  EXPECT_THAT(std::string(body.at("error").at("message").as_string()),
              HasSubstr("both Transfer-Encoding and Content-Length"));
}

TEST_F(HostileRequestsTest, TransferEncodingOtherThanOneFinalChunkedIsRefused) {
  const std::string head = "POST /v1/runs/r/cancel HTTP/1.1\r\nHost: a\r\n" + Auth();
  const std::string chunks = "2\r\n{}\r\n0\r\n\r\n";
  // Not ending with chunked: the body's length cannot be known (§6.3).
  ExpectRefusedAndClosed(head + "Transfer-Encoding: gzip\r\n\r\n" + chunks, 400);
  ExpectRefusedAndClosed(head + "Transfer-Encoding: chunked, gzip\r\n\r\n" + chunks, 400);
  ExpectRefusedAndClosed(head + "Transfer-Encoding: chunked, chunked\r\n\r\n" + chunks, 400);
  // A coding the server does not implement, before a final chunked (§6.1).
  json::value body =
      ExpectRefusedAndClosed(head + "Transfer-Encoding: gzip, chunked\r\n\r\n" + chunks, 501);
  EXPECT_EQ(body.at("error").at("code"), "not_implemented");
  // Transfer-Encoding in HTTP/1.0 means faulty framing (§6.1).
  ExpectRefusedAndClosed("POST /v1/runs/r/cancel HTTP/1.0\r\nHost: a\r\n" + Auth() +
                             "Transfer-Encoding: chunked\r\n\r\n" + chunks,
                         400);
  // Chunked alone, with chunk extensions and a trailer, is served.
  RawResponse served =
      Send("POST /v1/runs/r/cancel HTTP/1.1\r\nHost: a\r\n" + Auth() +
           "Transfer-Encoding: chunked\r\n\r\n2;ext=1\r\n{}\r\n0\r\nX-T: 1\r\n\r\n");
  EXPECT_EQ(served.status, 404u) << served.body;  // no run "r": parsed and routed
}

TEST_F(HostileRequestsTest, HostIsRequiredOnceInHttp11) {
  json::value body = ExpectRefusedAndClosed("GET /healthz HTTP/1.1\r\n\r\n", 400);
  EXPECT_THAT(std::string(body.at("error").at("message").as_string()), HasSubstr("Host"));
  ExpectRefusedAndClosed("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
  ExpectRefusedAndClosed("GET /healthz HTTP/1.1\r\nHost: user@a\r\n\r\n", 400);
  ExpectRefusedAndClosed("GET /healthz HTTP/1.1\r\nHost: a b\r\n\r\n", 400);
  // HTTP/1.0 predates Host: a request without one is served (RFC 9112 §3.2 asks it of 1.1).
  EXPECT_EQ(Send("GET /healthz HTTP/1.0\r\n\r\n").status, 200u);
  EXPECT_EQ(Send("GET /healthz HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n").status, 200u);
}

TEST_F(HostileRequestsTest, InvalidUtf8InAPathIsNeverEchoedRaw) {
  for (const std::string& target :
       {std::string("/v1/approvals/%FF%FE%80"), std::string("/v1/runs/%C0%AF"),
        std::string("/v1/runs/%ED%A0%80/events"), std::string("/v1/workflows/%FF%FE/runs"),
        std::string("/v1/approvals/\xff\xfe\x80")}) {
    std::string method = target.ends_with("/runs") ? "POST" : "GET";
    RawResponse response = Send(method + " " + target + " HTTP/1.1\r\nHost: a\r\n" + Auth() +
                                "Content-Length: 0\r\n\r\n");
    EXPECT_GE(response.status, 400u) << target;
    json::value body = ParseStrict(response.body);
    EXPECT_TRUE(body.is_object() && body.as_object().contains("error")) << response.body;
  }
  // The bytes that cannot be shown are shown as U+FFFD, the rest as sent.
  RawResponse missing = Send("GET /v1/approvals/ap%FF1 HTTP/1.1\r\nHost: a\r\n" + Auth() + "\r\n");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_THAT(std::string(ParseStrict(missing.body).at("error").at("message").as_string()),
              HasSubstr(std::string("ap") + kReplacement + "1"));
  // A workflow name in the path that the body contradicts is echoed in the message.
  RawResponse put = Send("PUT /v1/workflows/%FF HTTP/1.1\r\nHost: a\r\n" + Auth() +
                         "Content-Length: 12\r\n\r\n{\"name\":\"w\"}");
  EXPECT_EQ(put.status, 400u);
  ParseStrict(put.body);
}

TEST_F(HostileRequestsTest, InvalidUtf8InQueriesAndHeadersIsNeverEchoedRaw) {
  for (std::string_view target :
       {"/v1/runs?status=%FF%FE", "/v1/runs?limit=%C0%AF", "/v1/runs/r?wait=%FF"}) {
    RawResponse response = Send("GET " + std::string(target) + " HTTP/1.1\r\nHost: a\r\n" +
                                Auth() + "\r\n");
    EXPECT_EQ(response.status, 400u) << target;
    ParseStrict(response.body);
  }
  // The one header value an error message names is a transfer coding, and only a valid token.
  ExpectRefusedAndClosed("POST /v1/runs/r/cancel HTTP/1.1\r\nHost: a\r\n" + Auth() +
                             "Transfer-Encoding: \xff\xfe, chunked\r\n\r\n0\r\n\r\n",
                         400);
  // An Idempotency-Key is stored and shown with the run's events: only printable ASCII.
  RawResponse keyed = Send("POST /v1/workflows/w/runs HTTP/1.1\r\nHost: a\r\n" + Auth() +
                           "Idempotency-Key: k\xff\xfe\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_EQ(keyed.status, 400u) << keyed.body;
  EXPECT_THAT(std::string(ParseStrict(keyed.body).at("error").at("message").as_string()),
              HasSubstr("Idempotency-Key"));
}

TEST_F(HostileRequestsTest, WebSocketErrorFramesAreValidJson) {
  RawConnection socket(server_.port());
  socket.Send("GET /v1/stream HTTP/1.1\r\nHost: a\r\n" + Auth() +
              "Upgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  EXPECT_THAT(socket.ReadUntil("\r\n\r\n"), HasSubstr("101"));
  // A server frame: FIN + opcode, then a 7-bit or 16-bit length, unmasked.
  auto read_frame = [&socket] {
    std::string head = socket.ReadBytes(2);
    size_t length = static_cast<unsigned char>(head[1]) & 0x7f;
    if (length == 126) {
      std::string extended = socket.ReadBytes(2);
      length =
          (static_cast<unsigned char>(extended[0]) << 8) | static_cast<unsigned char>(extended[1]);
    }
    return socket.ReadBytes(length);
  };
  EXPECT_THAT(read_frame(), HasSubstr("snapshot"));
  // A binary frame (not UTF-8-checked by the WebSocket layer) whose JSON is not UTF-8, masked
  // with a zero key as a client must mask.
  std::string payload =
      "{\"type\":\"comment\",\"id\":\"\xff\xfe\",\"text\":\"x\",\"req\":\"\xc0\"}";
  std::string frame = {
      static_cast<char>(0x82), static_cast<char>(0x80 | payload.size()), 0, 0, 0, 0};
  socket.Send(frame + payload);
  json::value error = ParseStrict(read_frame());
  EXPECT_EQ(error.at("type"), "error");
  EXPECT_EQ(error.at("error").at("code"), "invalid_json");
}

TEST_F(HostileRequestsTest, LogLinesStayJsonWhateverTheTarget) {
  Send("GET /v1/runs/\xff\xfe\x80 HTTP/1.1\r\nHost: a\r\n" + Auth() + "\r\n");
  Send("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
  server_.WaitForOutput("\"target\":\"/healthz\"");
  std::istringstream lines(server_.output());
  int logged = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() != '{') continue;
    ParseStrict(line);
    ++logged;
  }
  EXPECT_GT(logged, 2);
}

}  // namespace
}  // namespace assent::testing
