#include "engine/internal/http_call.h"

#include <memory>
#include <optional>
#include <string_view>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "engine/internal/http_wire_request.h"
#include "engine/internal/link_local.h"

namespace assent::engine {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

// A client context that trusts the system's CA store, or only the CAs in `ca_file`.
Result<std::unique_ptr<ssl::context>> MakeTlsContext(const std::string& ca_file) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  beast::error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1,
                       ec);
  if (ca_file.empty()) {
    context->set_default_verify_paths(ec);
  } else {
    context->load_verify_file(ca_file, ec);
  }
  if (ec) {
    return Status::InvalidArgument(
        (ca_file.empty() ? std::string("the system's CA store") : "ca_file '" + ca_file + "'") +
        " cannot be loaded: " + ec.message());
  }
  context->set_verify_mode(ssl::verify_peer);
  return context;
}

// Where a connection is good for: a call may reuse one only if every part matches.
std::string OriginOf(const WireRequest& wire, const HttpCallRequest& request) {
  const std::string& host = wire.host.host;
  std::string origin = std::string(wire.tls ? "https://" : "http://") +
                       (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                       std::to_string(wire.host.port);
  if (wire.tls) origin += " ca_file=" + request.ca_file;
  if (request.allow_link_local) origin += " link-local";
  return origin;
}

// RFC 9110 9.2.2, or a request the receiver can deduplicate.
bool SafeToSendAgain(const HttpCallRequest& request) {
  static constexpr std::string_view kIdempotent[] = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"};
  for (std::string_view method : kIdempotent) {
    if (request.method == method) return true;
  }
  for (const auto& [name, value] : request.headers) {
    if (boost::beast::iequals(name, "Idempotency-Key")) return true;
  }
  return false;
}

// How a connection the peer closed while it sat idle shows on the next request.
bool PeerClosed(beast::error_code ec) {
  return ec == http::error::end_of_stream || ec == boost::asio::error::eof ||
         ec == boost::asio::error::connection_reset || ec == boost::asio::error::broken_pipe ||
         ec == ssl::error::stream_truncated;
}

class HttpCall : public std::enable_shared_from_this<HttpCall> {
 public:
  HttpCall(std::shared_ptr<HttpPool> pool, const boost::asio::any_io_executor& executor,
           HttpCallRequest request, std::function<void(Result<HttpCallResponse>)> done)
      : pool_(std::move(pool)),
        executor_(executor),
        request_(std::move(request)),
        done_(std::move(done)) {}

  void Start() {
    Result<WireRequest> wire = BuildWireRequest(request_);
    if (!wire.ok()) return Finish(wire.status());
    host_ = wire->host.host;
    port_ = std::to_string(wire->host.port);
    by_name_ = wire->host.kind == OutboundHost::Kind::kName;
    tls_ = wire->tls;
    origin_ = OriginOf(*wire, request_);
    message_ = std::move(wire->message);
    Acquire(/*fresh=*/false);
  }

 private:
  void Acquire(bool fresh) {
    size_t limit = request_.max_connections != 0 ? request_.max_connections
                                                 : pool_->options().max_connections_per_origin;
    Status queued = pool_->Acquire(
        origin_, limit, fresh,
        [self = shared_from_this()](Result<HttpPool::Lease> lease) { self->OnLease(lease); });
    if (!queued.ok()) Finish(queued);
  }

  // On the connection's strand from here on.
  void OnLease(const Result<HttpPool::Lease>& lease) {
    if (!lease.ok()) return Finish(lease.status());
    connection_ = *lease;
    connection_->stream.expires_after(request_.timeout);  // the attempt's clock starts here
    if (connection_->connected) return Write();
    if (tls_) {
      if (Status prepared = PrepareTls(); !prepared.ok()) return Drop(prepared);
    }
    resolver_ = std::make_unique<tcp::resolver>(connection_->strand);
    // An address in the URL is only parsed, never looked up.
    auto flags = tcp::resolver::numeric_service;
    if (!by_name_) flags |= tcp::resolver::numeric_host;
    resolver_->async_resolve(host_, port_, flags,
                             beast::bind_front_handler(&HttpCall::OnResolve, shared_from_this()));
  }

  Status PrepareTls() {
    Result<std::unique_ptr<ssl::context>> context = MakeTlsContext(request_.ca_file);
    if (!context.ok()) return context.status();
    connection_->tls_context = std::move(context).value();
    connection_->tls = std::make_unique<ssl::stream<beast::tcp_stream&>>(
        connection_->stream, *connection_->tls_context);
    // OpenSSL checks the name (RFC 6125) or address the URL gives against the certificate
    // during the handshake, and names the mismatch ("hostname mismatch"). SNI for names
    // only: RFC 6066 allows no address there.
    SSL* session = connection_->tls->native_handle();
    const bool set =
        by_name_ ? SSL_set_tlsext_host_name(session, host_.c_str()) == 1 &&
                       SSL_set1_host(session, host_.c_str()) == 1
                 : X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(session), host_.c_str()) == 1;
    if (!set) {
      return Status::InvalidArgument("url: host '" + host_ +
                                     "' cannot be checked against a certificate");
    }
    return Status::Ok();
  }

  void OnResolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return Fail(ec, "resolve");
    if (!request_.allow_link_local) {
      for (const auto& entry : results) {
        const boost::asio::ip::address address = entry.endpoint().address();
        if (std::optional<std::string> range = LinkLocalOrMetadataRange(address)) {
          std::string where = address.to_string();
          if (where != host_) where = host_ + " (resolved to " + where + ")";
          return Drop(Status::InvalidArgument(
              "url: " + where + " is in " + *range +
              "; refused before connecting (the server option --allow-link-local allows it)"));
        }
      }
    }
    // The addresses just checked, not a new lookup.
    connection_->stream.async_connect(
        results, beast::bind_front_handler(&HttpCall::OnConnect, shared_from_this()));
  }

  void OnConnect(beast::error_code ec, const tcp::endpoint&) {
    if (ec) return Fail(ec, "connect");
    if (!connection_->tls) return OnConnected();
    connection_->tls->async_handshake(
        ssl::stream_base::client,
        beast::bind_front_handler(&HttpCall::OnHandshake, shared_from_this()));
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) return Fail(ec, "TLS handshake with");
    OnConnected();
  }

  void OnConnected() {
    connection_->connected = true;
    Write();
  }

  void Write() {
    parser_.emplace();
    parser_->body_limit(request_.max_response_bytes);
    buffer_.clear();
    auto on_write = beast::bind_front_handler(&HttpCall::OnWrite, shared_from_this());
    if (connection_->tls) return http::async_write(*connection_->tls, message_, std::move(on_write));
    http::async_write(connection_->stream, message_, std::move(on_write));
  }

  void OnWrite(beast::error_code ec, size_t) {
    if (ec) return Fail(ec, "write");
    auto on_read = beast::bind_front_handler(&HttpCall::OnRead, shared_from_this());
    if (connection_->tls) {
      return http::async_read(*connection_->tls, buffer_, *parser_, std::move(on_read));
    }
    http::async_read(connection_->stream, buffer_, *parser_, std::move(on_read));
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec == http::error::body_limit) {
      return Drop(Status::TooLarge(
          "the response body from " + host_ + ":" + port_ + " is over the limit of " +
          std::to_string(request_.max_response_bytes) +
          " bytes (max_step_output_bytes, --max-step-output-bytes)"));
    }
    if (ec) return Fail(ec, "read");
    auto& response = parser_->get();
    // Reused only when both sides keep it open and nothing beyond this response was read (a
    // server that sends more than it was asked for is not one to send more requests to).
    const bool reusable =
        response.keep_alive() && message_.keep_alive() && buffer_.size() == 0 &&
        (!connection_->tls || SSL_pending(connection_->tls->native_handle()) == 0);
    pool_->Release(std::exchange(connection_, nullptr), reusable);
    std::string retry_after(response[http::field::retry_after]);
    Finish(HttpCallResponse{response.result_int(), std::move(response.body()),
                            std::move(retry_after)});
  }

  void Fail(beast::error_code ec, std::string_view what) {
    // The peer closed the reused connection before it read this request, or after: it cannot
    // be told apart, so the request goes again only where that is harmless (see http_call.h).
    if (connection_->reused && !sent_again_ && PeerClosed(ec) && !parser_->got_some() &&
        buffer_.size() == 0 && SafeToSendAgain(request_)) {
      sent_again_ = true;
      pool_->Release(std::exchange(connection_, nullptr), /*reusable=*/false);
      return Acquire(/*fresh=*/true);
    }
    std::string reason = ec == beast::error::timeout ? "timed out" : ec.message();
    if (ec.category() == boost::asio::error::get_ssl_category() && connection_->tls) {
      // "certificate verify failed" alone does not say which check: the chain or the name.
      long verify = SSL_get_verify_result(connection_->tls->native_handle());
      if (verify != X509_V_OK) {
        reason += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
      }
    }
    Drop(Status::Unavailable(std::string(what) + " " + host_ + ":" + port_ + ": " + reason));
  }

  // The call ends without a complete exchange: its connection is closed, never reused.
  void Drop(Status status) {
    pool_->Release(std::exchange(connection_, nullptr), /*reusable=*/false);
    Finish(std::move(status));
  }

  // On the caller's executor, and never inside StartHttpCall: its caller is still in the
  // middle of its own work.
  void Finish(Result<HttpCallResponse> result) {
    if (!done_) return;
    boost::asio::post(executor_, [done = std::exchange(done_, nullptr),
                                  result = std::move(result)]() mutable { done(std::move(result)); });
  }

  const std::shared_ptr<HttpPool> pool_;
  const boost::asio::any_io_executor executor_;  // the caller's: `done` runs there
  HttpCallRequest request_;
  std::function<void(Result<HttpCallResponse>)> done_;
  std::string host_;
  std::string port_;
  bool by_name_ = false;
  bool tls_ = false;
  std::string origin_;
  http::request<http::string_body> message_;
  HttpPool::Lease connection_;  // while leased
  std::unique_ptr<tcp::resolver> resolver_;  // a fresh connection's lookup
  bool sent_again_ = false;  // the one retry on a fresh connection was used
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;  // one per exchange
};

}  // namespace

void StartHttpCall(const std::shared_ptr<HttpPool>& pool,
                   const boost::asio::any_io_executor& executor, HttpCallRequest request,
                   std::function<void(Result<HttpCallResponse>)> done) {
  std::make_shared<HttpCall>(pool, executor, std::move(request), std::move(done))->Start();
}

}  // namespace assent::engine
