// HttpSession: one HTTP/1.1 connection. Reads a request, hands it to the RequestHandler, writes
// the response, and repeats while the client keeps the connection alive. A WebSocket upgrade on
// /v1/stream hands the socket over to a WebSocketSession.
//
// Created by Listener for each accepted socket. Lives by shared_from_this; every member runs on
// the socket's strand. Reads and writes alternate, so at most one write is ever in flight.
#pragma once

#include <chrono>
#include <string>

#include <memory>
#include <optional>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>

#include "api/owed_replies.h"
#include "api/response.h"
#include "api/server_context.h"

namespace assent::api {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `socket` must have been accepted on a strand.
  HttpSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerContext> context);

  void Run();

 private:
  void DoRead();
  void OnRead(boost::beast::error_code ec, size_t bytes);
  // Answers a request that failed to parse: 400 or 413, then closes.
  void AnswerParseError(boost::beast::error_code ec);
  // Hands the socket to a WebSocketSession (or refuses a bad token with 401).
  void Upgrade();
  void Respond(Response response);  // from any thread
  void DoWrite(Response response);
  void OnWrite(bool keep_alive, boost::beast::error_code ec, size_t bytes);
  // Half-closes, then drains until the client closes or kLingerTimeout passes.
  void DoClose();
  void DoDrain();
  void OnDrain(boost::beast::error_code ec, size_t bytes);
  void Fail(boost::beast::error_code ec, std::string_view what);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::shared_ptr<ServerContext> context_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::optional<Response> response_;  // the response being written
  // Held from handing a request to the handler until its response is written.
  OwedReplies::Ticket owed_;
  // What the debug log line of the request being answered says; only when debug is on.
  struct RequestLine {
    std::string method;
    std::string target;
    std::chrono::steady_clock::time_point received;
  };
  std::optional<RequestLine> request_line_;
};

}  // namespace assent::api
