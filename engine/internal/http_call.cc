#include "engine/internal/http_call.h"

#include <memory>

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

class HttpCall : public std::enable_shared_from_this<HttpCall> {
 public:
  HttpCall(const boost::asio::any_io_executor& executor, HttpCallRequest request,
           std::function<void(Result<HttpCallResponse>)> done)
      : resolver_(executor),
        stream_(executor),
        request_(std::move(request)),
        done_(std::move(done)) {
    parser_.body_limit(request_.max_response_bytes);
  }

  void Start() {
    Result<WireRequest> wire = BuildWireRequest(request_);
    if (!wire.ok()) return FinishLater(wire.status());
    host_ = wire->host.host;
    port_ = std::to_string(wire->host.port);
    message_ = std::move(wire->message);
    if (wire->tls) {
      Result<std::unique_ptr<ssl::context>> context = MakeTlsContext(request_.ca_file);
      if (!context.ok()) return FinishLater(context.status());
      tls_context_ = std::move(context).value();
      tls_ = std::make_unique<ssl::stream<beast::tcp_stream&>>(stream_, *tls_context_);
      // OpenSSL checks the name (RFC 6125) or address the URL gives against the certificate
      // during the handshake, and names the mismatch ("hostname mismatch"). SNI for names
      // only: RFC 6066 allows no address there.
      SSL* session = tls_->native_handle();
      const bool name = wire->host.kind == OutboundHost::Kind::kName;
      const bool set =
          name ? SSL_set_tlsext_host_name(session, host_.c_str()) == 1 &&
                     SSL_set1_host(session, host_.c_str()) == 1
               : X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(session), host_.c_str()) == 1;
      if (!set) {
        return FinishLater(Status::InvalidArgument("url: host '" + host_ +
                                                   "' cannot be checked against a certificate"));
      }
    }

    stream_.expires_after(request_.timeout);
    // An address in the URL is only parsed, never looked up.
    auto flags = tcp::resolver::numeric_service;
    if (wire->host.kind != OutboundHost::Kind::kName) flags |= tcp::resolver::numeric_host;
    resolver_.async_resolve(host_, port_, flags,
                            beast::bind_front_handler(&HttpCall::OnResolve, shared_from_this()));
  }

 private:
  // Later, not inside StartHttpCall: its caller is still in the middle of its own work.
  void FinishLater(Status status) {
    boost::asio::post(resolver_.get_executor(),
                      [self = shared_from_this(), status] { self->Finish(status); });
  }

  void OnResolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return Fail(ec, "resolve");
    if (!request_.allow_link_local) {
      for (const auto& entry : results) {
        const boost::asio::ip::address address = entry.endpoint().address();
        if (std::optional<std::string> range = LinkLocalOrMetadataRange(address)) {
          std::string where = address.to_string();
          if (where != host_) where = host_ + " (resolved to " + where + ")";
          return Finish(Status::InvalidArgument(
              "url: " + where + " is in " + *range +
              "; refused before connecting (the server option --allow-link-local allows it)"));
        }
      }
    }
    // The addresses just checked, not a new lookup.
    stream_.async_connect(results,
                          beast::bind_front_handler(&HttpCall::OnConnect, shared_from_this()));
  }

  void OnConnect(beast::error_code ec, const tcp::endpoint&) {
    if (ec) return Fail(ec, "connect");
    if (!tls_) return Write(stream_);
    tls_->async_handshake(ssl::stream_base::client,
                          beast::bind_front_handler(&HttpCall::OnHandshake, shared_from_this()));
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) return Fail(ec, "TLS handshake with");
    Write(*tls_);
  }

  template <typename Stream>
  void Write(Stream& stream) {
    http::async_write(stream, message_,
                      beast::bind_front_handler(&HttpCall::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, size_t) {
    if (ec) return Fail(ec, "write");
    auto on_read = beast::bind_front_handler(&HttpCall::OnRead, shared_from_this());
    if (tls_) return http::async_read(*tls_, buffer_, parser_, std::move(on_read));
    http::async_read(stream_, buffer_, parser_, std::move(on_read));
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec == http::error::body_limit) {
      return Finish(Status::TooLarge(
          "the response body from " + host_ + ":" + port_ + " is over the limit of " +
          std::to_string(request_.max_response_bytes) +
          " bytes (max_step_output_bytes, --max-step-output-bytes)"));
    }
    if (ec) return Fail(ec, "read");
    // Closing after a complete response cannot lose anything (nor can skipping TLS's
    // close_notify: the response's length is framed by HTTP).
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    auto& response = parser_.get();
    Finish(HttpCallResponse{response.result_int(), std::move(response.body())});
  }

  void Fail(beast::error_code ec, std::string_view what) {
    std::string reason = ec == beast::error::timeout ? "timed out" : ec.message();
    if (ec.category() == boost::asio::error::get_ssl_category() && tls_) {
      // "certificate verify failed" alone does not say which check: the chain or the name.
      long verify = SSL_get_verify_result(tls_->native_handle());
      if (verify != X509_V_OK) {
        reason += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
      }
    }
    Finish(Status::Unavailable(std::string(what) + " " + host_ + ":" + port_ + ": " + reason));
  }

  void Finish(Result<HttpCallResponse> result) {
    if (done_) std::exchange(done_, nullptr)(std::move(result));
  }

  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  // https only: the session over stream_ (declared after it, so destroyed before it).
  std::unique_ptr<ssl::context> tls_context_;
  std::unique_ptr<ssl::stream<beast::tcp_stream&>> tls_;
  HttpCallRequest request_;
  std::function<void(Result<HttpCallResponse>)> done_;
  std::string host_;
  std::string port_;
  http::request<http::string_body> message_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
};

}  // namespace

void StartHttpCall(const boost::asio::any_io_executor& executor, HttpCallRequest request,
                   std::function<void(Result<HttpCallResponse>)> done) {
  std::make_shared<HttpCall>(executor, std::move(request), std::move(done))->Start();
}

}  // namespace assent::engine
