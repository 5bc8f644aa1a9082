#include "tests/support/http_target.h"

#include <atomic>
#include <cctype>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace assent::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
namespace ssl = asio::ssl;

struct HttpTarget::Impl {
  Impl(Responder responder, std::optional<TlsIdentity> tls_identity)
      : responder(std::move(responder)),
        acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    if (tls_identity) {
      tls = std::make_unique<ssl::context>(ssl::context::tls_server);
      tls->use_certificate_chain_file(tls_identity->cert_file);
      tls->use_private_key_file(tls_identity->key_file, ssl::context::pem);
    }
  }

  // One connection at a time is enough for tests and keeps the server trivially correct.
  void Serve() {
    for (;;) {
      tcp::socket socket(io);
      beast::error_code ec;
      acceptor.accept(socket, ec);
      if (ec || stopping) return;
      if (!tls) {
        Exchange(socket);
        continue;
      }
      ssl::stream<tcp::socket&> stream(socket, *tls);
      stream.handshake(ssl::stream_base::server, ec);
      if (!ec) Exchange(stream);  // else the client refused the certificate, or is a poke
    }
  }

  // Serves the requests of one connection.
  template <typename Stream>
  void Exchange(Stream& socket) {
    beast::error_code ec;
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      http::read(socket, buffer, request, ec);
      if (ec) break;
      ReceivedRequest received{std::string(request.method_string()),
                               std::string(request.target()), {}, request.body()};
      for (const auto& field : request) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        received.headers[name] = std::string(field.value());
      }
      size_t index;
      {
        std::lock_guard lock(mutex);
        index = received_requests.size();
        received_requests.push_back(received);
      }
      TargetResponse answer = responder(received, index);
      http::response<http::string_body> response{static_cast<http::status>(answer.status), 11};
      response.set(http::field::content_type, "application/json");
      for (const auto& [name, value] : answer.headers) response.set(name, value);
      response.body() = answer.body;
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      http::write(socket, response, ec);
      if (ec || !request.keep_alive()) break;
    }
  }

  Responder responder;
  std::unique_ptr<ssl::context> tls;  // null: plain HTTP
  asio::io_context io;
  tcp::acceptor acceptor;
  std::thread thread;
  std::atomic<bool> stopping{false};
  mutable std::mutex mutex;
  std::vector<ReceivedRequest> received_requests;
};

HttpTarget::HttpTarget(Responder responder) : HttpTarget(std::move(responder), std::nullopt) {}

HttpTarget::HttpTarget(Responder responder, TlsIdentity tls)
    : HttpTarget(std::move(responder), std::optional<TlsIdentity>(std::move(tls))) {}

HttpTarget::HttpTarget(Responder responder, std::optional<TlsIdentity> tls)
    : impl_(std::make_unique<Impl>(std::move(responder), std::move(tls))) {
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->thread = std::thread([impl = impl_.get()] { impl->Serve(); });
}

HttpTarget::~HttpTarget() {
  // A blocking accept() does not notice a flag; one last connection wakes it to read it.
  impl_->stopping = true;
  beast::error_code ignored;
  tcp::socket poke(impl_->io);
  poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ignored);
  impl_->thread.join();
}

std::string HttpTarget::url(const std::string& path, const std::string& host) const {
  return std::string(impl_->tls ? "https://" : "http://") + host + ":" + std::to_string(port_) +
         path;
}

std::vector<ReceivedRequest> HttpTarget::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->received_requests;
}

}  // namespace assent::testing
