// Socket-level tests: the real Server on 127.0.0.1, port 0, over a FakeEngine. Every client
// operation is bounded by kWait (the stream's expiry cancels it), so a bug fails, never hangs.
#include "api/response.h"
#include "api/server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <limits>
#include <memory>
#include <sstream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "tests/api/fake_engine.h"
#include "tests/api/test_directory.h"

namespace assent::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using testing::FakeEngine;

constexpr char kToken[] = "socket-test-token";
constexpr auto kWait = std::chrono::seconds(10);

// A client connection whose operations each run to completion or to kWait.
template <typename Stream>
class BoundedClient {
 public:
  explicit BoundedClient(const tcp::endpoint& endpoint) : stream_(ioc_) {
    beast::error_code ec = Run([&](auto handler) {
      beast::get_lowest_layer(stream_).async_connect(endpoint, handler);
    });
    EXPECT_FALSE(ec) << "connect: " << ec.message();
  }

 protected:
  // Starts one async operation with a completion handler and runs it to its end.
  template <typename Start>
  beast::error_code Run(Start start) {
    beast::error_code result = asio::error::would_block;
    beast::get_lowest_layer(stream_).expires_after(kWait);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run();
    return result;
  }

  asio::io_context ioc_;
  Stream stream_;
  beast::flat_buffer buffer_;
};

class HttpClient : public BoundedClient<beast::tcp_stream> {
 public:
  using BoundedClient::BoundedClient;

  beast::error_code WriteRaw(const std::string& bytes) {
    return Run([&](auto handler) { asio::async_write(stream_, asio::buffer(bytes), handler); });
  }
  beast::error_code Read(Response* response) {
    return Run([&](auto handler) { http::async_read(stream_, buffer_, *response, handler); });
  }
  Response Send(http::verb method, const std::string& target, const std::string& body = "") {
    Request request(method, target, 11);
    request.set(http::field::host, "test");
    request.set(http::field::authorization, std::string("Bearer ") + kToken);
    request.body() = body;
    request.prepare_payload();
    beast::error_code ec =
        Run([&](auto handler) { http::async_write(stream_, request, handler); });
    EXPECT_FALSE(ec) << "write " << target << ": " << ec.message();
    Response response;
    ec = Read(&response);
    EXPECT_FALSE(ec) << "read " << target << ": " << ec.message();
    return response;
  }
};

class WsClient : public BoundedClient<websocket::stream<beast::tcp_stream>> {
 public:
  using BoundedClient::BoundedClient;

  // `authorization` empty: no header (the browser case).
  beast::error_code Handshake(const std::string& authorization,
                              websocket::response_type* response) {
    stream_.set_option(websocket::stream_base::decorator([authorization](auto& request) {
      if (!authorization.empty()) request.set(http::field::authorization, authorization);
    }));
    return Run([&](auto handler) {
      stream_.async_handshake(*response, "127.0.0.1", "/v1/stream", handler);
    });
  }
  void Send(const std::string& text) {
    beast::error_code ec =
        Run([&](auto handler) { stream_.async_write(asio::buffer(text), handler); });
    EXPECT_FALSE(ec) << "send " << text << ": " << ec.message();
  }
  beast::error_code ReadText(std::string* text) {
    beast::error_code ec = Run([&](auto handler) { stream_.async_read(buffer_, handler); });
    *text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    return ec;
  }
  // Why the server closed the stream (after a read answered websocket::error::closed).
  websocket::close_reason CloseReason() const { return stream_.reason(); }
  // The next message as a JSON object; fails the test if there is none.
  json::object Read() {
    std::string text;
    beast::error_code ec = ReadText(&text);
    EXPECT_FALSE(ec) << "websocket read: " << ec.message();
    boost::system::error_code parse_error;
    json::value value = json::parse(text, parse_error);
    EXPECT_TRUE(!parse_error && value.is_object()) << "not a JSON object: " << text;
    return value.is_object() ? value.get_object() : json::object{};
  }
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_.approvals_result = std::vector<engine::ApprovalView>{testing::SampleApproval("ap-1")};
    Result<tcp::endpoint> endpoint = server_.Start();
    ASSERT_TRUE(endpoint.ok()) << endpoint.status().ToString();
    endpoint_ = *endpoint;
    ASSERT_NE(endpoint_.port(), 0);
  }

  // A client authenticated by its first message, past the snapshot.
  std::unique_ptr<WsClient> ConnectReviewer() {
    auto client = std::make_unique<WsClient>(endpoint_);
    websocket::response_type response;
    beast::error_code ec = client->Handshake("", &response);
    EXPECT_FALSE(ec) << "handshake: " << ec.message();
    client->Send(std::string(R"({"type":"auth","token":")") + kToken + "\"}");
    json::object snapshot = client->Read();
    EXPECT_EQ(snapshot["type"], "snapshot") << json::serialize(snapshot);
    return client;
  }

  FakeEngine engine_;
  testing::TestDirectory directory_;
  Server server_{engine_, *directory_, kToken, ServerOptions{"127.0.0.1", 0, 2}};
  tcp::endpoint endpoint_;
};

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  HttpClient client(endpoint_);
  Response health = client.Send(http::verb::get, "/healthz");
  EXPECT_EQ(health.result(), http::status::ok);
  EXPECT_TRUE(health.keep_alive());
  Response runs = client.Send(http::verb::get, "/v1/runs?status=waiting");
  EXPECT_EQ(runs.result(), http::status::ok);
  EXPECT_EQ(runs.body(), R"({"runs":[]})");
  Response started = client.Send(http::verb::post, "/v1/workflows/pay/runs", R"({"input":{}})");
  EXPECT_EQ(started.result(), http::status::created);
  EXPECT_EQ(started.body(), R"({"run_id":"run-1"})");
  Response missing = client.Send(http::verb::get, "/v1/nothing");
  EXPECT_EQ(missing.result(), http::status::not_found);
  EXPECT_TRUE(missing.keep_alive());
  EXPECT_EQ(engine_.recorded().starts.size(), 1u);
}

TEST_F(ServerTest, GarbageBytesGet400AndTheServerKeepsServing) {
  {
    HttpClient client(endpoint_);
    ASSERT_FALSE(client.WriteRaw(std::string("\x16\x03\x01\x00garbage\r\n\r\n", 16)));
    Response response;
    beast::error_code ec = client.Read(&response);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(response.result(), http::status::bad_request);
    EXPECT_NE(response.body().find("\"invalid_argument\""), std::string::npos) << response.body();
    EXPECT_FALSE(response.keep_alive());
  }
  HttpClient next(endpoint_);
  EXPECT_EQ(next.Send(http::verb::get, "/healthz").result(), http::status::ok);
}

TEST_F(ServerTest, OversizedBodyGets413AndTheServerKeepsServing) {
  {
    HttpClient client(endpoint_);
    std::string body(kMaxBodyBytes + 100, 'x');
    ASSERT_FALSE(client.WriteRaw("POST /v1/workflows/pay/runs HTTP/1.1\r\nHost: t\r\n"
                                 "Authorization: Bearer " + std::string(kToken) +
                                 "\r\nContent-Length: " + std::to_string(body.size()) +
                                 "\r\n\r\n" + body));
    Response response;
    beast::error_code ec = client.Read(&response);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(response.result(), http::status::payload_too_large);
    EXPECT_NE(response.body().find("\"body_too_large\""), std::string::npos) << response.body();
  }
  HttpClient next(endpoint_);
  EXPECT_EQ(next.Send(http::verb::get, "/v1/runs").result(), http::status::ok);
  EXPECT_TRUE(engine_.recorded().starts.empty());
}

TEST_F(ServerTest, MissingTokenIs401OverTheWire) {
  HttpClient client(endpoint_);
  ASSERT_FALSE(client.WriteRaw("GET /v1/runs HTTP/1.1\r\nHost: t\r\n\r\n"));
  Response response;
  ASSERT_FALSE(client.Read(&response));
  EXPECT_EQ(response.result(), http::status::unauthorized);
}

TEST_F(ServerTest, WebSocketStreamsSnapshotBroadcastsAndCommands) {
  auto client = std::make_unique<WsClient>(endpoint_);
  websocket::response_type response;
  ASSERT_FALSE(client->Handshake("", &response));
  client->Send(std::string(R"({"type":"auth","token":")") + kToken + "\"}");
  json::object snapshot = client->Read();
  EXPECT_EQ(snapshot["type"], "snapshot");
  ASSERT_EQ(snapshot["pending"].as_array().size(), 1u) << json::serialize(snapshot);
  EXPECT_EQ(snapshot["pending"].as_array()[0].at("id"), "ap-1");

  // The snapshot went out after the session joined the hub, so this reaches it.
  engine_.Publish({engine::ApprovalNotification::Kind::kRequested, testing::SampleApproval("ap-2")});
  json::object requested = client->Read();
  EXPECT_EQ(requested["type"], "approval.requested");
  EXPECT_EQ(requested["approval"].at("id"), "ap-2");

  client->Send(R"({"type":"decide","id":"ap-1","decision":"approve","comment":"ok","req":"r1"})");
  json::object ack = client->Read();
  EXPECT_EQ(ack["type"], "ack") << json::serialize(ack);
  EXPECT_EQ(ack["req"], "r1");
  EXPECT_EQ(ack["approval"].at("id"), "ap-1");
  FakeEngine::Recorded recorded = engine_.recorded();
  ASSERT_EQ(recorded.decisions.size(), 1u);
  EXPECT_EQ(recorded.decisions[0].actor.principal.id, "admin");
  EXPECT_EQ(recorded.decisions[0].actor.channel, engine::Channel::kStream);
  EXPECT_EQ(recorded.decisions[0].comment, "ok");

  client->Send("this is not json{");
  json::object garbage = client->Read();
  EXPECT_EQ(garbage["type"], "error");
  EXPECT_EQ(garbage["error"].at("code"), "invalid_json");
  EXPECT_FALSE(garbage.contains("req"));

  client->Send(R"({"type":"comment","id":"ap-1","text":"","req":"r2"})");
  json::object empty_comment = client->Read();
  EXPECT_EQ(empty_comment["type"], "error");
  EXPECT_EQ(empty_comment["req"], "r2");
  EXPECT_EQ(empty_comment["error"].at("code"), "invalid_argument");

  client->Send(R"({"type":"frobnicate","req":"r3"})");
  EXPECT_EQ(client->Read()["req"], "r3");

  // A field the command does not know (a typo of "comment") is refused, not dropped.
  client->Send(R"({"type":"decide","id":"ap-1","decision":"approve","coment":"ok","req":"r6"})");
  json::object typo = client->Read();
  EXPECT_EQ(typo["req"], "r6");
  EXPECT_EQ(typo["error"].at("code"), "invalid_argument");
  EXPECT_NE(typo["error"].at("message").as_string().find("coment"), json::string::npos);
  EXPECT_EQ(engine_.recorded().decisions.size(), 1u) << "nothing reached the engine";

  engine_.approval_result = Status::Conflict("already decided");
  client->Send(R"({"type":"decide","id":"ap-1","decision":"reject","comment":"no","req":"r4"})");
  json::object conflict = client->Read();
  EXPECT_EQ(conflict["req"], "r4");
  EXPECT_EQ(conflict["error"].at("code"), "conflict");

  // Still connected after all of that.
  engine_.approval_result = testing::SampleApproval("ap-1");
  client->Send(R"({"type":"comment","id":"ap-1","text":"why?","req":"r5"})");
  json::object comment_ack = client->Read();
  EXPECT_EQ(comment_ack["type"], "ack");
  EXPECT_EQ(comment_ack["req"], "r5");
  EXPECT_EQ(engine_.recorded().comments.size(), 1u);
}

TEST_F(ServerTest, WebSocketWithHeaderTokenGetsSnapshotAtOnce) {
  WsClient client(endpoint_);
  websocket::response_type response;
  ASSERT_FALSE(client.Handshake(std::string("Bearer ") + kToken, &response));
  EXPECT_EQ(client.Read()["type"], "snapshot");
}

// A server of its own, with a short WebSocket auth deadline.
class AuthDeadlineTest : public ::testing::Test {
 protected:
  tcp::endpoint Start(std::chrono::milliseconds auth_timeout) {
    ServerOptions options{"127.0.0.1", 0, 1};
    options.websocket_auth_timeout = auth_timeout;
    server_ = std::make_unique<Server>(engine_, *directory_, kToken, options);
    Result<tcp::endpoint> endpoint = server_->Start();
    EXPECT_TRUE(endpoint.ok()) << endpoint.status().ToString();
    return endpoint.ok() ? *endpoint : tcp::endpoint();
  }

  FakeEngine engine_;
  testing::TestDirectory directory_;
  std::unique_ptr<Server> server_;
};

TEST_F(AuthDeadlineTest, SilentWebSocketIsToldAndClosed) {
  WsClient client(Start(std::chrono::milliseconds(200)));
  websocket::response_type response;
  ASSERT_FALSE(client.Handshake("", &response));
  json::object error = client.Read();  // sends nothing; kWait bounds the wait
  EXPECT_EQ(error["type"], "error");
  EXPECT_EQ(error["error"].at("code"), "unauthorized");
  EXPECT_EQ(error["error"].at("message"), "no auth message within 200 ms");
  std::string text;
  EXPECT_EQ(client.ReadText(&text), websocket::error::closed);
  EXPECT_TRUE(engine_.recorded().approval_lists.empty()) << "no snapshot without auth";
}

TEST_F(AuthDeadlineTest, HeaderTokenNeedsNoAuthMessage) {
  WsClient client(Start(std::chrono::milliseconds(1)));
  websocket::response_type response;
  ASSERT_FALSE(client.Handshake(std::string("Bearer ") + kToken, &response));
  EXPECT_EQ(client.Read()["type"], "snapshot");
  // Long past the deadline by now, yet still served: the reply proves the stream is open.
  client.Send(R"({"type":"comment","id":"ap-1","text":"hi","req":"r1"})");
  json::object ack = client.Read();
  EXPECT_EQ(ack["type"], "ack") << json::serialize(ack);
}

// A server of its own that checks stream tokens again every few milliseconds, with a directory
// of users whose tokens and groups the tests change while their streams are open.
class StreamRecheckTest : public AuthDeadlineTest {
 protected:
  tcp::endpoint Start() {
    ServerOptions options{"127.0.0.1", 0, 1};
    options.stream_recheck_interval = std::chrono::milliseconds(5);
    server_ = std::make_unique<Server>(engine_, *directory_, kToken, options);
    Result<tcp::endpoint> endpoint = server_->Start();
    EXPECT_TRUE(endpoint.ok()) << endpoint.status().ToString();
    return endpoint.ok() ? *endpoint : tcp::endpoint();
  }

  // Runs one directory change to its end and returns its result.
  template <typename T, typename Change>
  T Await(Change change) {
    std::promise<Result<T>> done;
    change([&done](Result<T> result) { done.set_value(std::move(result)); });
    std::future<Result<T>> future = done.get_future();
    EXPECT_EQ(future.wait_for(kWait), std::future_status::ready) << "directory change";
    Result<T> result = future.get();
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return std::move(result).value();
  }

  engine::CreatedUser AddUser(const std::string& id) {
    return Await<engine::CreatedUser>([&](auto done) {
      directory_->AddUser(kAdmin, {id, {"finance"}}, {"laptop", std::nullopt}, done);
    });
  }

  // A stream authenticated as `token` by its first message, past the snapshot.
  std::unique_ptr<WsClient> Connect(const tcp::endpoint& endpoint, const std::string& token) {
    auto client = std::make_unique<WsClient>(endpoint);
    websocket::response_type response;
    EXPECT_FALSE(client->Handshake("", &response));
    client->Send(R"({"type":"auth","token":")" + token + "\"}");
    EXPECT_EQ(client->Read()["type"], "snapshot");
    return client;
  }

  const engine::Principal kAdmin{"admin", {}, true};
};

TEST_F(StreamRecheckTest, ARevokedTokenEndsItsStreamAndOnlyItsStream) {
  tcp::endpoint endpoint = Start();
  engine::CreatedUser alice = AddUser("alice");
  engine::CreatedUser bob = AddUser("bob");
  std::unique_ptr<WsClient> alice_stream = Connect(endpoint, alice.token.text);
  std::unique_ptr<WsClient> bob_stream = Connect(endpoint, bob.token.text);

  Await<engine::TokenView>([&](auto done) {
    directory_->RevokeToken(kAdmin, alice.token.token.id, done);
  });
  json::object error = alice_stream->Read();
  EXPECT_EQ(error["type"], "error") << json::serialize(error);
  EXPECT_EQ(error["error"].at("code"), "unauthorized");
  std::string text;
  EXPECT_EQ(alice_stream->ReadText(&text), websocket::error::closed);
  EXPECT_EQ(alice_stream->CloseReason().code, websocket::close_code::policy_error);

  engine_.Publish({engine::ApprovalNotification::Kind::kDecided, testing::SampleApproval("ap-7")});
  json::object message = bob_stream->Read();
  EXPECT_EQ(message["type"], "approval.decided") << "bob's stream is still served";
}

TEST_F(StreamRecheckTest, ARemovedUsersStreamEnds) {
  tcp::endpoint endpoint = Start();
  engine::CreatedUser alice = AddUser("alice");
  std::unique_ptr<WsClient> stream = Connect(endpoint, alice.token.text);
  Await<engine::UserView>([&](auto done) { directory_->RemoveUser(kAdmin, "alice", done); });
  EXPECT_EQ(stream->Read()["type"], "error");
  std::string text;
  EXPECT_EQ(stream->ReadText(&text), websocket::error::closed);
  EXPECT_EQ(stream->CloseReason().code, websocket::close_code::policy_error);
}

TEST_F(StreamRecheckTest, ChangedGroupsAskTheStreamToReconnect) {
  tcp::endpoint endpoint = Start();
  engine::CreatedUser alice = AddUser("alice");
  std::unique_ptr<WsClient> stream = Connect(endpoint, alice.token.text);
  Await<engine::UserView>([&](auto done) {
    directory_->SetGroups(kAdmin, "alice", {"audit"}, done);
  });
  std::string text;
  EXPECT_EQ(stream->ReadText(&text), websocket::error::closed) << text;
  EXPECT_EQ(stream->CloseReason().code, websocket::close_code::service_restart);
  EXPECT_EQ(stream->CloseReason().reason, "access changed: reconnect");
  // The reconnect is served, with the new groups.
  std::unique_ptr<WsClient> again = Connect(endpoint, alice.token.text);
}

TEST_F(ServerTest, WebSocketWithBadHeaderTokenIs401) {
  WsClient client(endpoint_);
  websocket::response_type response;
  EXPECT_TRUE(client.Handshake("Bearer wrong", &response));
  EXPECT_EQ(response.result(), http::status::unauthorized);
}

TEST_F(ServerTest, UnauthenticatedWebSocketGetsErrorAndIsClosed) {
  WsClient client(endpoint_);
  websocket::response_type response;
  ASSERT_FALSE(client.Handshake("", &response));
  client.Send(R"({"type":"decide","id":"ap-1","decision":"approve","req":"r1"})");
  json::object error = client.Read();
  EXPECT_EQ(error["type"], "error");
  EXPECT_EQ(error["error"].at("code"), "unauthorized");
  std::string text;
  EXPECT_EQ(client.ReadText(&text), websocket::error::closed) << "then the server closes";
  EXPECT_TRUE(engine_.recorded().decisions.empty());
}

TEST_F(ServerTest, WrongAuthMessageIsRefused) {
  WsClient client(endpoint_);
  websocket::response_type response;
  ASSERT_FALSE(client.Handshake("", &response));
  client.Send(R"({"type":"auth","token":"wrong"})");
  EXPECT_EQ(client.Read()["error"].at("code"), "unauthorized");
}

TEST_F(ServerTest, EveryReviewerReceivesEachNotification) {
  std::unique_ptr<WsClient> first = ConnectReviewer();
  std::unique_ptr<WsClient> second = ConnectReviewer();
  engine_.Publish({engine::ApprovalNotification::Kind::kDecided, testing::SampleApproval("ap-7")});
  for (WsClient* client : {first.get(), second.get()}) {
    json::object message = client->Read();
    EXPECT_EQ(message["type"], "approval.decided");
    EXPECT_EQ(message["approval"].at("id"), "ap-7");
  }
}

// Notifications published in a burst go out together as one batch frame; the
// reviewer still gets every message once, in order. (How many frames that takes depends on
// timing, so only completeness and order are asserted.)
TEST_F(ServerTest, QueuedNotificationsArriveCompleteAndInOrderThroughBatches) {
  std::unique_ptr<WsClient> reviewer = ConnectReviewer();
  constexpr int kMessages = 200;
  for (int i = 0; i < kMessages; ++i) {
    engine_.Publish({engine::ApprovalNotification::Kind::kRequested,
                     testing::SampleApproval("ap-" + std::to_string(i))});
  }
  std::vector<std::string> ids;
  int frames = 0;
  while (ids.size() < kMessages) {
    json::object frame = reviewer->Read();
    ++frames;
    if (frame["type"] == "batch") {
      ASSERT_TRUE(frame["messages"].is_array());
      ASSERT_GE(frame["messages"].as_array().size(), 2u) << "a batch carries several messages";
      for (const json::value& message : frame["messages"].as_array()) {
        EXPECT_EQ(message.at("type"), "approval.requested");
        ids.emplace_back(message.at("approval").at("id").as_string());
      }
    } else {
      EXPECT_EQ(frame["type"], "approval.requested");
      ids.emplace_back(frame["approval"].at("id").as_string());
    }
  }
  ASSERT_EQ(ids.size(), static_cast<size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) EXPECT_EQ(ids[i], "ap-" + std::to_string(i));
  RecordProperty("frames", frames);
}

TEST_F(ServerTest, StopWritesTheAnswersTheEngineGivesWhileShuttingDown) {
  engine_.answer_at_shutdown = true;
  HttpClient http_client(endpoint_);
  std::unique_ptr<WsClient> reviewer = ConnectReviewer();
  Request request(http::verb::post, "/v1/workflows/pay/runs", 11);
  request.set(http::field::host, "test");
  request.set(http::field::authorization, std::string("Bearer ") + kToken);
  request.body() = R"({"input":{}})";
  request.prepare_payload();
  std::ostringstream raw;
  raw << request;
  ASSERT_FALSE(http_client.WriteRaw(raw.str()));
  reviewer->Send(R"({"type":"decide","id":"ap-1","decision":"approve","req":"r1"})");
  ASSERT_TRUE(engine_.WaitForDeferred(2, kWait)) << "both commands reach the engine";

  // Stop blocks until the answers are written, so it runs beside the clients' reads.
  std::thread stopper([this] { server_.Stop(); });
  Response started;
  beast::error_code ec = http_client.Read(&started);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(started.result(), http::status::created);
  EXPECT_EQ(started.body(), R"({"run_id":"run-1"})");
  json::object ack = reviewer->Read();
  EXPECT_EQ(ack["type"], "ack") << json::serialize(ack);
  EXPECT_EQ(ack["req"], "r1");
  stopper.join();
  EXPECT_TRUE(engine_.recorded().shut_down);
}

TEST_F(ServerTest, StopUnsubscribesAndShutsTheEngineDown) {
  EXPECT_EQ(engine_.subscriber_count(), 1u);
  server_.Stop();
  EXPECT_EQ(engine_.subscriber_count(), 0u);
  EXPECT_TRUE(engine_.recorded().shut_down);
  server_.Stop();  // idempotent
}

}  // namespace
}  // namespace assent::api
