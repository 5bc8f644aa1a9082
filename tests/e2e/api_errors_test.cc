// Bad and hostile requests against the real server: each gets its status and a JSON error body,
// and the server keeps serving.
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

void ExpectError(const HttpReply& reply, unsigned status, const std::string& code) {
  EXPECT_EQ(reply.status, status) << reply.raw;
  ASSERT_TRUE(reply.body.is_object()) << "not a JSON error body: " << reply.raw;
  EXPECT_EQ(reply.body.at("error").at("code"), code.c_str()) << reply.raw;
  EXPECT_FALSE(reply.body.at("error").at("message").as_string().empty()) << reply.raw;
}

// Writes raw bytes on a fresh connection and returns whatever the server answers before
// closing (bounded by the server's own timeouts).
std::string SendRaw(uint16_t port, const std::string& bytes) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::asio::write(socket, boost::asio::buffer(bytes));
  socket.shutdown(boost::asio::ip::tcp::socket::shutdown_send);
  std::string answer;
  boost::system::error_code ec;
  boost::asio::read(socket, boost::asio::dynamic_buffer(answer), ec);
  return answer;
}

TEST_F(E2eTest, EveryEndpointButHealthNeedsTheToken) {
  EXPECT_EQ(api().Send("GET", "/healthz", "", {}, false).status, 200u);
  ExpectError(api().Send("GET", "/v1/runs", "", {}, false), 401, "unauthorized");
  ExpectError(api().Send("GET", "/v1/workflows", "", {{"Authorization", "Bearer wrong"}}, false),
              401, "unauthorized");
  ExpectError(api().Send("POST", "/v1/workflows/invoice-payment/runs", "{}", {}, false), 401,
              "unauthorized");
}

TEST_F(E2eTest, MalformedInputIsABadRequest) {
  ExpectError(api().Send("POST", "/v1/workflows/invoice-payment/runs", "{not json"), 400,
              "invalid_json");
  ExpectError(api().Post("/v1/workflows/invoice-payment/runs", json::object{{"input", 5}}), 400,
              "invalid_argument");
  ExpectError(api().Get("/v1/runs?status=sleeping"), 400, "invalid_argument");
  ExpectError(api().Post("/v1/approvals/x.1/decision", json::object{{"decision", "maybe"}}), 400,
              "invalid_argument");
}

TEST_F(E2eTest, InvalidDefinitionsNameTheStep) {
  HttpReply reply = api().Put("/v1/workflows/broken", json::parse(R"({"steps": [
      {"id": "a", "type": "condition", "if": "true", "then": "nowhere", "else": "end"}]})"));
  ExpectError(reply, 400, "invalid_argument");
  EXPECT_THAT(std::string(reply.body.at("error").at("message").as_string()),
              HasSubstr("step 'a': 'then' names unknown step 'nowhere'"));
  ExpectError(api().Get("/v1/workflows/broken"), 404, "not_found");
}

TEST_F(E2eTest, DefinitionsWhoseStepsCannotRunInOrderAreRefused) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"steps": [{"id": "a", "type": "code", "lua": "return 1", "next": "end"},
                     {"id": "b", "type": "code", "lua": "return 2"}]})",
       "step 'b' can never run: no path from the first step 'a' leads to it"},
      {R"({"steps": [{"id": "a", "type": "code", "lua": "return 1"},
                     {"id": "b", "type": "approval", "message": "again?", "next": "a"}]})",
       "step 'b': 'next' goes back to 'a', and no step of the loop a -> b -> a leads to 'end'"},
      {R"({"steps": [{"id": "r", "type": "approval", "message": "Pay {{steps.ammount}}?"}]})",
       "step 'r': 'message' refers to steps.ammount, which is not a step of this workflow"},
      {R"({"steps": [{"id": "p", "type": "http", "url": "http://127.0.0.1:9/x",
                      "body": {"total": "{{steps.sum.total}}"}},
                     {"id": "sum", "type": "code", "lua": "return {total = 1}"}]})",
       "step 'p': 'body' refers to steps.sum, which cannot have run before it"},
  };
  for (const auto& [document, expected] : cases) {
    HttpReply reply = api().Put("/v1/workflows/unordered", json::parse(document));
    ExpectError(reply, 400, "invalid_argument");
    EXPECT_THAT(std::string(reply.body.at("error").at("message").as_string()),
                HasSubstr(expected));
  }
  ExpectError(api().Get("/v1/workflows/unordered"), 404, "not_found");
}

TEST_F(E2eTest, UnknownThingsAreNotFound) {
  ExpectError(api().Get("/v1/runs/run_missing"), 404, "not_found");
  ExpectError(api().Get("/v1/runs/run_missing/events"), 404, "not_found");
  ExpectError(api().Get("/v1/approvals/run_missing.4"), 404, "not_found");
  ExpectError(api().Post("/v1/approvals/run_missing.4/decision", json::object{{"decision", "approve"}}),
              404, "not_found");
  ExpectError(api().Post("/v1/workflows/nope/runs", json::object{}), 404, "not_found");
  ExpectError(api().Get("/v1/nothing-here"), 404, "not_found");
}

TEST_F(E2eTest, OversizedBodyIs413) {
  std::string huge = R"({"input": {"blob": ")" + std::string(2u << 20, 'x') + R"("}})";
  ExpectError(api().Send("POST", "/v1/workflows/invoice-payment/runs", huge), 413,
              "body_too_large");
  EXPECT_EQ(api().Get("/healthz").status, 200u);
}

TEST_F(E2eTest, IdempotencyKeyMakesARetriedStartReturnTheSameRun) {
  json::value body = json::object{{"input", {{"amount", 10}, {"vendor", "V"}}}};
  HttpReply first = api().Send("POST", "/v1/workflows/invoice-payment/runs", json::serialize(body),
                               {{"Idempotency-Key", "order-42"}});
  HttpReply retry = api().Send("POST", "/v1/workflows/invoice-payment/runs", json::serialize(body),
                               {{"Idempotency-Key", "order-42"}});
  ASSERT_EQ(first.status, 201u) << first.raw;
  EXPECT_EQ(retry.status, 200u) << retry.raw;
  EXPECT_EQ(retry.body.at("run_id"), first.body.at("run_id"));
  EXPECT_EQ(api().Get("/v1/runs").body.at("runs").as_array().size(), 1u);
}

TEST_F(E2eTest, AnIdempotencyKeyReusedWithAnotherBodyIsRefused) {
  auto start = [&](int amount) {
    json::value body = json::object{{"input", {{"amount", amount}, {"vendor", "V"}}}};
    return api().Send("POST", "/v1/workflows/invoice-payment/runs", json::serialize(body),
                      {{"Idempotency-Key", "order-7"}});
  };
  HttpReply first = start(10);
  ASSERT_EQ(first.status, 201u) << first.raw;
  HttpReply other = start(11);
  EXPECT_EQ(other.status, 422u) << other.raw;
  EXPECT_EQ(other.body.at("error").at("code"), "failed_precondition");
  EXPECT_THAT(std::string(other.body.at("error").at("message").as_string()),
              HasSubstr("different body"));
  EXPECT_EQ(start(10).status, 200u) << "the same body still retries";
  EXPECT_EQ(api().Get("/v1/runs").body.at("runs").as_array().size(), 1u);
}

TEST_F(E2eTest, UnknownFieldsInACommandAreRefused) {
  HttpReply start = api().Post("/v1/workflows/invoice-payment/runs",
                               json::object{{"inptu", {{"amount", 10}}}});
  EXPECT_EQ(start.status, 400u) << start.raw;
  EXPECT_THAT(start.raw, HasSubstr(R"(unknown field \"inptu\")"));
  EXPECT_EQ(api().Get("/v1/runs").body.at("runs").as_array().size(), 0u) << "nothing started";

  std::string run_id = StartInvoice(9000);
  json::value run = AwaitRunStatus(run_id, "waiting");
  std::string approval(run.at("pending_approvals").at(0).at("id").as_string());
  HttpReply decided = api().Post("/v1/approvals/" + approval + "/decision",
                                 json::object{{"decision", "approve"}, {"coment", "typo"}});
  EXPECT_EQ(decided.status, 400u) << decided.raw;
  HttpReply commented =
      api().Post("/v1/approvals/" + approval + "/comments", json::object{{"txt", "hi"}});
  EXPECT_EQ(commented.status, 400u) << commented.raw;
  HttpReply cancelled =
      api().Post("/v1/runs/" + run_id + "/cancel", json::object{{"reson", "dup"}});
  EXPECT_EQ(cancelled.status, 400u) << cancelled.raw;
  EXPECT_EQ(api().Get("/v1/runs/" + run_id).body.at("status"), "waiting") << "nothing decided";
}

TEST_F(E2eTest, HostileBytesDoNotStopTheServer) {
  SendRaw(server_->port(), std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
  std::string answer = SendRaw(server_->port(), "GARBAGE / HTTP/9.9\r\n\r\n");
  EXPECT_THAT(answer, HasSubstr("400"));
  SendRaw(server_->port(), "GET /v1/runs HTTP/1.1\r\nContent-Length: -5\r\n\r\n");
  SendRaw(server_->port(), "POST /v1/workflows/x/runs HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  SendRaw(server_->port(), std::string(70000, 'A') + "\r\n\r\n");
  EXPECT_EQ(api().Get("/healthz").status, 200u);
  EXPECT_EQ(api().Get("/v1/workflows").status, 200u);
  std::string run_id = StartInvoice(1);
  AwaitRunStatus(run_id, "completed");
}

TEST_F(E2eTest, StreamRefusesABadToken) {
  StreamClient intruder(server_->port(), "not-the-token", StreamClient::Auth::kFirstMessage);
  json::value answer = intruder.Read();
  EXPECT_EQ(answer.at("type"), "error");
  EXPECT_EQ(answer.at("error").at("code"), "unauthorized");
  EXPECT_THROW(intruder.Read(std::chrono::seconds(10)), std::runtime_error)
      << "the connection should be closed after a failed auth";
}

TEST_F(E2eTest, StreamAnswersMalformedMessagesAndStaysOpen) {
  StreamClient reviewer(server_->port(), kToken, StreamClient::Auth::kHeader);
  ASSERT_EQ(reviewer.Read().at("type"), "snapshot");
  reviewer.Send(json::string("just a string"));
  EXPECT_EQ(reviewer.Read().at("type"), "error");
  reviewer.Send({{"type", "decide"}, {"id", "run_missing.3"}, {"decision", "approve"}, {"req", "q9"}});
  json::value answer = reviewer.Read();
  EXPECT_EQ(answer.at("type"), "error");
  EXPECT_EQ(answer.at("req"), "q9");
  EXPECT_EQ(answer.at("error").at("code"), "not_found");
  std::string run_id = StartInvoice(5001);
  json::value requested = reviewer.Read();
  EXPECT_EQ(requested.at("type"), "approval.requested");
  EXPECT_EQ(requested.at("approval").at("run_id"), run_id.c_str());
}

}  // namespace
}  // namespace assent::testing
