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
#include "api/lingering_close.h"
#include "api/net_log.h"
#include "api/request_framing.h"
#include "api/router.h"
#include "api/stream_message.h"
#include "api/websocket_session.h"

namespace assent::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// Bounds a whole response write.
constexpr auto kWriteTimeout = std::chrono::seconds(30);
constexpr uint32_t kHeaderLimit = 16 * 1024;
// What one read asks for while waiting for a request's first bytes.
constexpr size_t kFirstReadBytes = 4096;

// The request's Content-Length, once its headers are read (a body limit can trip before).
template <typename Parser>
std::optional<uint64_t> ContentLength(const Parser& parser) {
  if (!parser.is_header_done()) return std::nullopt;
  auto length = parser.content_length();  // a boost::optional
  return length ? std::optional<uint64_t>(*length) : std::nullopt;
}

}  // namespace

HttpSession::HttpSession(asio::ip::tcp::socket socket, std::shared_ptr<ServerContext> context,
                         ConnectionLimit::Slot slot)
    : slot_(std::move(slot)), stream_(std::move(socket)), context_(std::move(context)) {
  beast::error_code ignored;
  client_ = stream_.socket().remote_endpoint(ignored).address();
}

void HttpSession::Run() {
  asio::dispatch(stream_.get_executor(),
                 beast::bind_front_handler(&HttpSession::DoRead, shared_from_this()));
}

void HttpSession::DoRead() {
  parser_.emplace();
  parser_->body_limit(kMaxBodyBytes);
  parser_->header_limit(kHeaderLimit);
  if (buffer_.size() > 0) return DoReadHeader();  // pipelined: the next request is here
  stream_.expires_after(context_->idle_timeout);
  stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                          beast::bind_front_handler(&HttpSession::OnFirstBytes,
                                                    shared_from_this()));
}

void HttpSession::OnFirstBytes(beast::error_code ec, size_t bytes) {
  if (ec == asio::error::eof) return DoClose();
  if (ec) return Fail(ec, "http read");  // an idle timeout closed the socket: nothing to say
  buffer_.commit(bytes);
  DoReadHeader();
}

void HttpSession::DoReadHeader() {
  stream_.expires_after(context_->header_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&HttpSession::OnReadHeader,
                                                    shared_from_this()));
}

void HttpSession::OnReadHeader(beast::error_code ec, size_t /*bytes*/) {
  if (ec) return OnReadError(ec);
  // Checked before the body is read: a body whose framing is in doubt is never read.
  if (std::optional<ApiError> error = CheckRequestHeader(parser_->get())) return Refuse(*error);
  if (parser_->is_done()) return OnRead({}, 0);
  stream_.expires_after(context_->body_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&HttpSession::OnRead, shared_from_this()));
}

void HttpSession::OnRead(beast::error_code ec, size_t /*bytes*/) {
  if (ec) return OnReadError(ec);
  const Request& request = parser_->get();
  if (beast::websocket::is_upgrade(request) && IsStreamTarget(request.target())) {
    return Upgrade();
  }
  owed_ = context_->owed.Owe();
  if (context_->logger.Enabled(LogLevel::kDebug)) {
    request_line_ = RequestLine{std::string(request.method_string()),
                                std::string(request.target()), std::chrono::steady_clock::now()};
  }
  if (IsDashboardTarget(request.target())) return DoWrite(context_->dashboard.Serve(request));
  context_->handler.Handle(request, client_, [self = shared_from_this()](Response response) {
    self->Respond(std::move(response));
  });
}

void HttpSession::OnReadError(beast::error_code ec) {
  if (ec == http::error::end_of_stream) return DoClose();
  // Any other HTTP-category error is a malformed request; the socket is still writable.
  if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
      ec != http::error::partial_message) {
    return Refuse(ec == http::error::body_limit
                      ? ApiError::BodyTooLarge(ContentLength(*parser_), kMaxBodyBytes)
                      : ApiError::InvalidArgument("malformed HTTP request: " + ec.message()));
  }
  Fail(ec, "http read");  // a timeout closed the socket; a reset or EOF mid-request ends it
}

void HttpSession::Refuse(const ApiError& error) {
  DoWrite(ErrorResponse(error, 11, /*keep_alive=*/false));
}

void HttpSession::Upgrade() {
  const Request& request = parser_->get();
  // Before the token: a page from another site learns nothing, not even whether it is valid.
  if (!context_->origins.Allows(request[http::field::origin], request[http::field::host])) {
    return DoWrite(ErrorResponse(
        ApiError{http::status::forbidden, "forbidden",
                 "WebSocket from origin '" + std::string(request[http::field::origin]) +
                     "' refused: it is not this server's and not among --allowed-origin"},
        request.version(), false));
  }
  Result<StreamStart> start = ParseStreamTarget(request.target());
  if (!start.ok()) {
    return DoWrite(ErrorResponse(ErrorFromStatus(start.status()), request.version(), false));
  }
  std::optional<engine::Principal> principal;
  std::string_view header = request[http::field::authorization];
  if (!header.empty()) {
    AuthResult auth = context_->auth.CheckAuthorization(header, client_);
    if (!auth.principal) {
      return DoWrite(
          ErrorResponse(auth.Error(), request.version(), false, auth.RetryAfterHeader()));
    }
    principal = std::move(auth.principal);
  }
  // Without a header the client authenticates with its first message (browsers cannot set it).
  stream_.expires_never();  // the WebSocket sets its own timeouts
  std::make_shared<WebSocketSession>(stream_.release_socket(), context_, std::move(slot_),
                                     client_, std::move(principal),
                                     std::string(Authenticator::BearerToken(header)), *start)
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
  stream_.expires_after(kWriteTimeout);
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

void HttpSession::DoClose() { LingeringClose(std::move(stream_), std::move(slot_)); }

void HttpSession::Fail(beast::error_code ec, std::string_view what) {
  LogNetworkError(context_->logger, what, ec);
}

}  // namespace assent::api
