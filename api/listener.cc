#include "api/listener.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>

#include "api/http_session.h"
#include "api/net_log.h"
#include "api/refused_connection.h"

namespace assent::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace {

// Pause before accepting again after a failure. Failures such as EMFILE persist while the
// listening socket stays readable, so retrying at once would spin a core and flood the log.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);
// At most one log line per interval for each repeated condition (accept failing, refusals).
constexpr auto kLogInterval = std::chrono::seconds(1);

}  // namespace

Listener::Listener(asio::io_context& ioc, std::shared_ptr<ServerContext> context)
    : ioc_(ioc),
      acceptor_(asio::make_strand(ioc)),
      retry_timer_(acceptor_.get_executor()),
      context_(std::move(context)) {}

Status Listener::Listen(const tcp::endpoint& endpoint) {
  beast::error_code ec;
  auto step = [&](std::string_view what) {
    return Status::IOError(std::string(what) + " " + endpoint.address().to_string() + ":" +
                           std::to_string(endpoint.port()) + ": " + ec.message());
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return step("open");
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return step("set reuse_address on");
  acceptor_.bind(endpoint, ec);
  if (ec) return step("bind");
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return step("listen on");
  return Status::Ok();
}

tcp::endpoint Listener::local_endpoint() const {
  beast::error_code ignored;
  return acceptor_.local_endpoint(ignored);
}

void Listener::Run() {
  asio::dispatch(acceptor_.get_executor(),
                 beast::bind_front_handler(&Listener::DoAccept, shared_from_this()));
}

void Listener::Stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_timer_.cancel();
  });
}

void Listener::DoAccept() {
  // Each connection gets its own strand, so its handlers never run concurrently.
  acceptor_.async_accept(asio::make_strand(ioc_),
                         beast::bind_front_handler(&Listener::OnAccept, shared_from_this()));
}

void Listener::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;  // stopped
  if (ec) return BackOff(ec);  // e.g. out of descriptors: keep serving the others
  // Responses and stream messages are small and latency-bound: without this, Nagle's
  // algorithm holds them back until the peer's delayed ACK (~40 ms).
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (std::optional<ConnectionLimit::Slot> slot = context_->connections.TryAcquire()) {
    std::make_shared<HttpSession>(std::move(socket), context_, std::move(*slot))->Run();
  } else {
    Refuse(std::move(socket));
  }
  DoAccept();
}

void Listener::Refuse(tcp::socket socket) {
  if (LogDue(last_refusal_logged_)) {
    context_->logger.Warn("connection limit reached; refusing connections with 503",
                          {{"max_connections", context_->connections.max()}});
  }
  std::optional<ConnectionLimit::Slot> slot = context_->refusals.TryAcquire();
  // Too many refusals in flight as well: closing at once is all the reserve allows.
  if (!slot) return;
  RefuseConnection(std::move(socket), std::move(*slot), context_->connections.max());
}

bool Listener::LogDue(std::optional<std::chrono::steady_clock::time_point>& last_logged) {
  auto now = std::chrono::steady_clock::now();
  if (last_logged && now - *last_logged < kLogInterval) return false;
  last_logged = now;
  return true;
}

void Listener::BackOff(beast::error_code ec) {
  if (LogDue(last_accept_error_logged_)) {
    LogNetworkError(context_->logger, "accept (retrying)", ec);
  }
  retry_timer_.expires_after(kAcceptRetryDelay);
  retry_timer_.async_wait([self = shared_from_this()](beast::error_code wait_error) {
    if (wait_error || !self->acceptor_.is_open()) return;  // stopped
    self->DoAccept();
  });
}

}  // namespace assent::api
