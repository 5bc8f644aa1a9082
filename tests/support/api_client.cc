#include "tests/support/api_client.h"

#include <deque>
#include <optional>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace assent::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

// Longer than the longest ?wait the server allows (60 s), so a long poll is answered before it.
constexpr auto kRequestTimeout = std::chrono::seconds(75);
constexpr auto kHandshakeTimeout = std::chrono::seconds(30);

tcp::endpoint Loopback(uint16_t port) {
  return tcp::endpoint(asio::ip::make_address("127.0.0.1"), port);
}

json::value ParseOrNull(const std::string& text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  return ec ? json::value() : value;
}

// Runs `io` until `done` or the timeout; throws naming `what` when time runs out.
void RunUntil(asio::io_context& io, const bool& done, std::chrono::milliseconds timeout,
              const std::string& what) {
  io.restart();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    io.run_one_until(deadline);
  }
  if (!done) throw std::runtime_error("timed out after " + std::to_string(timeout.count()) +
                                      " ms waiting for " + what);
}

// Runs one asynchronous operation of a beast::tcp_stream to completion. Beast applies the
// stream's expires_after() only to asynchronous operations, so blocking calls would wait forever
// on a server that accepted the connection and then hung; the timer closes the socket instead,
// and the operation fails with beast::error::timeout.
template <typename Start>
void RunTimed(asio::io_context& io, Start start) {
  beast::error_code error;
  start([&error](beast::error_code ec, size_t) { error = ec; });
  io.restart();
  io.run();  // returns once the operation (and the stream's timer) has nothing left to do
  if (error) throw boost::system::system_error(error);
}

}  // namespace

struct ApiClient::Impl {
  Impl(uint16_t port, std::chrono::milliseconds timeout)
      : port(port), timeout(timeout), stream(io) {}

  void EnsureConnected() {
    if (connected) return;
    stream.connect(Loopback(port));  // to 127.0.0.1: accepted or refused at once
    connected = true;
  }

  asio::io_context io;
  uint16_t port;
  std::chrono::milliseconds timeout;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  bool connected = false;
};

ApiClient::ApiClient(uint16_t port, std::string token)
    : ApiClient(port, std::move(token), kRequestTimeout) {}
ApiClient::ApiClient(uint16_t port, std::string token, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(port, timeout)), token_(std::move(token)) {}
ApiClient::~ApiClient() = default;

HttpReply ApiClient::Get(const std::string& target) { return Send("GET", target, ""); }
HttpReply ApiClient::Post(const std::string& target, const json::value& body) {
  return Send("POST", target, json::serialize(body));
}
HttpReply ApiClient::Put(const std::string& target, const json::value& body) {
  return Send("PUT", target, json::serialize(body));
}

HttpReply ApiClient::Send(const std::string& method, const std::string& target,
                          const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          bool authorize) {
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, "127.0.0.1");
  if (authorize) request.set(http::field::authorization, "Bearer " + token_);
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();

  // One retry on a fresh connection: the server may have closed an idle keep-alive.
  for (int attempt = 0;; ++attempt) {
    try {
      impl_->EnsureConnected();
      // One deadline for the whole exchange: the write and the read of the answer.
      impl_->stream.expires_after(impl_->timeout);
      RunTimed(impl_->io, [&](auto done) { http::async_write(impl_->stream, request, done); });
      http::response_parser<http::string_body> parser;
      parser.body_limit(64u << 20);
      RunTimed(impl_->io, [&](auto done) {
        http::async_read(impl_->stream, impl_->buffer, parser, done);
      });
      impl_->stream.expires_never();
      auto& response = parser.get();
      if (!response.keep_alive()) {
        beast::error_code ignored;
        impl_->stream.socket().close(ignored);
        impl_->connected = false;
      }
      return HttpReply{response.result_int(), ParseOrNull(response.body()), response.body()};
    } catch (const boost::system::system_error& error) {
      beast::error_code ignored;
      impl_->stream.socket().close(ignored);
      impl_->connected = false;
      impl_->buffer.clear();
      // A server that took the request and never answered must not get it a second time.
      if (error.code() == beast::error::timeout) {
        throw std::runtime_error("timed out after " + std::to_string(impl_->timeout.count()) +
                                 " ms waiting for the answer to " + method + " " + target);
      }
      if (attempt == 1) throw;
    }
  }
}

struct StreamClient::Impl {
  asio::io_context io;
  websocket::stream<beast::tcp_stream> ws{io};
  beast::flat_buffer buffer;
  std::deque<json::value> unpacked;  // the rest of a batch frame
};

StreamClient::StreamClient(uint16_t port, const std::string& token, Auth auth)
    : StreamClient(port, token, auth, Options()) {}

StreamClient::StreamClient(uint16_t port, const std::string& token, Auth auth, Options options)
    : impl_(std::make_unique<Impl>()) {
  auto& ws = impl_->ws;
  if (options.receive_buffer_bytes > 0) {
    auto& socket = beast::get_lowest_layer(ws).socket();
    socket.open(asio::ip::tcp::v4());
    socket.set_option(asio::socket_base::receive_buffer_size(options.receive_buffer_bytes));
  }
  beast::get_lowest_layer(ws).connect(Loopback(port));  // to 127.0.0.1: accepted or refused at once
  ws.set_option(websocket::stream_base::decorator(
      [token, auth, origin = options.origin](websocket::request_type& request) {
        if (auth == Auth::kHeader) request.set(http::field::authorization, "Bearer " + token);
        if (!origin.empty()) request.set(http::field::origin, origin);
      }));
  // Asynchronous, so the wait is bounded (see RunTimed): a blocking handshake has no timeout.
  bool done = false;
  beast::error_code error;
  beast::get_lowest_layer(ws).expires_after(kHandshakeTimeout);
  ws.async_handshake("127.0.0.1:" + std::to_string(port), options.target,
                     [&](beast::error_code ec) {
                       error = ec;
                       done = true;
                     });
  RunUntil(impl_->io, done, kHandshakeTimeout + std::chrono::seconds(5), "the WebSocket handshake");
  beast::get_lowest_layer(ws).expires_never();
  if (error) throw boost::system::system_error(error);
  if (auth == Auth::kFirstMessage) {
    json::object message = options.auth_fields;
    message["type"] = "auth";
    message["token"] = token;
    Send(message);
  }
}

StreamClient::~StreamClient() {
  beast::error_code ignored;
  beast::get_lowest_layer(impl_->ws).socket().close(ignored);
}

void StreamClient::Send(const json::value& message) {
  impl_->ws.text(true);
  impl_->ws.write(asio::buffer(json::serialize(message)));
}

json::value StreamClient::Read(std::chrono::milliseconds timeout) {
  if (!impl_->unpacked.empty()) {
    json::value next = std::move(impl_->unpacked.front());
    impl_->unpacked.pop_front();
    return next;
  }
  bool done = false;
  beast::error_code error;
  impl_->buffer.clear();
  impl_->ws.async_read(impl_->buffer, [&](beast::error_code ec, size_t) {
    error = ec;
    done = true;
  });
  try {
    RunUntil(impl_->io, done, timeout, "a WebSocket message");
  } catch (...) {
    // Abandon the connection: a read cannot be cancelled and resumed on a websocket stream.
    beast::error_code ignored;
    beast::get_lowest_layer(impl_->ws).socket().close(ignored);
    RunUntil(impl_->io, done, std::chrono::seconds(5), "the cancelled read");
    throw;
  }
  if (error) throw std::runtime_error("WebSocket read failed: " + error.message());
  json::value message = json::parse(beast::buffers_to_string(impl_->buffer.data()));
  if (message.is_object() && message.as_object().contains("type") && message.at("type") == "batch") {
    for (json::value& inner : message.at("messages").as_array()) impl_->unpacked.push_back(inner);
    return Read(timeout);
  }
  return message;
}

std::string StreamClient::ReadUntilClosed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  impl_->unpacked.clear();
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("the server did not close the stream in time");
    bool done = false;
    beast::error_code error;
    impl_->buffer.clear();
    impl_->ws.async_read(impl_->buffer, [&](beast::error_code ec, size_t) {
      error = ec;
      done = true;
    });
    RunUntil(impl_->io, done, left, "the stream's close");
    if (error == websocket::error::closed) {
      const websocket::close_reason& reason = impl_->ws.reason();
      return std::to_string(reason.code) + " " + std::string(reason.reason.data(), reason.reason.size());
    }
    if (error) throw std::runtime_error("the stream ended without a close frame: " + error.message());
  }
}

json::value StreamClient::ReadUntil(const std::function<bool(const json::value&)>& match,
                                    std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("no matching WebSocket message in time");
    json::value message = Read(left);
    if (match(message)) return message;
  }
}

}  // namespace assent::testing
