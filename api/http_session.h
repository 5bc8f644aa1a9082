// HttpSession: one HTTP/1.1 connection. Reads a request, hands it to the RequestHandler, writes
// the response, and repeats while the client keeps the connection alive. A WebSocket upgrade on
// /v1/stream hands the socket (and its connection slot) over to a WebSocketSession.
//
// Each phase has its own deadline (ServerOptions): waiting for a request's first byte (idle),
// reading its headers, reading its body, writing the response. A client that misses one is
// disconnected, so idle and slow connections cannot pile up.
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

#include "api/connection_limit.h"
#include "api/errors.h"
#include "api/owed_replies.h"
#include "api/response.h"
#include "api/server_context.h"

namespace assent::api {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `socket` must have been accepted on a strand.
  // `slot`: this connection's place under the server's limit, held until the socket closes.
  HttpSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerContext> context,
              ConnectionLimit::Slot slot);

  void Run();

 private:
  // Waits (idle deadline) for the next request's first bytes, unless some are buffered.
  void DoRead();
  void OnFirstBytes(boost::beast::error_code ec, size_t bytes);
  void DoReadHeader();
  void OnReadHeader(boost::beast::error_code ec, size_t bytes);
  void OnRead(boost::beast::error_code ec, size_t bytes);
  // Ends the session for a failed read: answers a malformed request (400 or 413) and closes.
  void OnReadError(boost::beast::error_code ec);
  // Answers `error` and closes: the stream cannot be trusted to frame a next request.
  void Refuse(const ApiError& error);
  // Hands the socket to a WebSocketSession (or refuses a bad token with 401).
  void Upgrade();
  void Respond(Response response);  // from any thread
  void DoWrite(Response response);
  void OnWrite(bool keep_alive, boost::beast::error_code ec, size_t bytes);
  // Hands the stream to a LingeringClose.
  void DoClose();
  void Fail(boost::beast::error_code ec, std::string_view what);

  ConnectionLimit::Slot slot_;  // first: released only once the socket has closed
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::shared_ptr<ServerContext> context_;
  boost::asio::ip::address client_;  // the peer, for the failed-authentication throttle
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
