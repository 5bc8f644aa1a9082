#include "api/http_session.h"

#include <chrono>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "api/auth.h"
#include "api/net_log.h"
#include "api/router.h"
#include "api/websocket_session.h"

namespace assent::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// Bounds a whole request (headers and body) and, separately, a whole response write; an idle
// keep-alive connection is closed after the same time.
constexpr auto kIoTimeout = std::chrono::seconds(30);
// After our last response, how long we keep reading (and discarding) what the client still
// sends, so closing does not reset the connection before the client has read the response.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr uint32_t kHeaderLimit = 16 * 1024;

}  // namespace

HttpSession::HttpSession(asio::ip::tcp::socket socket, std::shared_ptr<ServerContext> context)
    : stream_(std::move(socket)), context_(std::move(context)) {}

void HttpSession::Run() {
  asio::dispatch(stream_.get_executor(),
                 beast::bind_front_handler(&HttpSession::DoRead, shared_from_this()));
}

void HttpSession::DoRead() {
  parser_.emplace();
  parser_->body_limit(kMaxBodyBytes);
  parser_->header_limit(kHeaderLimit);
  stream_.expires_after(kIoTimeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&HttpSession::OnRead, shared_from_this()));
}

void HttpSession::OnRead(beast::error_code ec, size_t /*bytes*/) {
  if (ec == http::error::end_of_stream) return DoClose();
  // Any other HTTP-category error is a malformed request; the socket is still writable.
  if (ec && ec.category() == http::make_error_code(http::error::bad_method).category() &&
      ec != http::error::partial_message) {
    return AnswerParseError(ec);
  }
  if (ec) return Fail(ec, "http read");
  const Request& request = parser_->get();
  if (beast::websocket::is_upgrade(request) && IsStreamTarget(request.target())) {
    return Upgrade();
  }
  owed_ = context_->owed.Owe();
  if (context_->logger.Enabled(LogLevel::kDebug)) {
    request_line_ = RequestLine{std::string(request.method_string()),
                                std::string(request.target()), std::chrono::steady_clock::now()};
  }
  context_->handler.Handle(request, [self = shared_from_this()](Response response) {
    self->Respond(std::move(response));
  });
}

void HttpSession::AnswerParseError(beast::error_code ec) {
  ApiError error = ec == http::error::body_limit
                       ? ApiError::BodyTooLarge()
                       : ApiError::InvalidArgument("malformed HTTP request: " + ec.message());
  // The rest of the stream cannot be trusted to frame a next request: answer, then close.
  DoWrite(ErrorResponse(error, 11, /*keep_alive=*/false));
}

void HttpSession::Upgrade() {
  const Request& request = parser_->get();
  std::optional<std::string> identity;
  if (std::string_view header = request[http::field::authorization]; !header.empty()) {
    identity = context_->auth.CheckAuthorization(header);
    if (!identity) {
      return DoWrite(ErrorResponse(ApiError::Unauthorized(), request.version(), false));
    }
  }
  // Without a header the client authenticates with its first message (browsers cannot set it).
  stream_.expires_never();  // the WebSocket sets its own timeouts
  std::make_shared<WebSocketSession>(stream_.release_socket(), context_, std::move(identity))
      ->Run(parser_->release());
}

void HttpSession::Respond(Response response) {
  // Commands answer on a shard's strand (or at once): hop back to this session's strand.
  asio::post(stream_.get_executor(),
             [self = shared_from_this(), response = std::move(response)]() mutable {
               self->DoWrite(std::move(response));
             });
}

void HttpSession::DoWrite(Response response) {
  if (request_line_) {
    // Method, target and outcome only: headers carry tokens and are never logged.
    auto took = std::chrono::steady_clock::now() - request_line_->received;
    context_->logger.Debug(
        "request", {{"method", request_line_->method},
                    {"target", request_line_->target},
                    {"status", response.result_int()},
                    {"us", std::chrono::duration_cast<std::chrono::microseconds>(took).count()}});
    request_line_.reset();
  }
  response_ = std::move(response);
  bool keep_alive = response_->keep_alive();
  stream_.expires_after(kIoTimeout);
  http::async_write(stream_, *response_,
                    beast::bind_front_handler(&HttpSession::OnWrite, shared_from_this(),
                                              keep_alive));
}

void HttpSession::OnWrite(bool keep_alive, beast::error_code ec, size_t /*bytes*/) {
  owed_.Release();
  if (ec) return Fail(ec, "http write");
  response_.reset();
  if (!keep_alive) return DoClose();
  DoRead();
}

void HttpSession::DoClose() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTimeout);
  DoDrain();
}

void HttpSession::DoDrain() {
  buffer_.consume(buffer_.size());
  stream_.async_read_some(buffer_.prepare(4096),
                          beast::bind_front_handler(&HttpSession::OnDrain, shared_from_this()));
}

void HttpSession::OnDrain(beast::error_code ec, size_t /*bytes*/) {
  if (ec) return;  // the client closed too, or the linger time is up: the session ends
  DoDrain();
}

void HttpSession::Fail(beast::error_code ec, std::string_view what) {
  LogNetworkError(context_->logger, what, ec);
}

}  // namespace assent::api
