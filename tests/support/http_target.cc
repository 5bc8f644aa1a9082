#include "tests/support/http_target.h"

#include <atomic>
#include <cctype>
#include <condition_variable>
#include <list>

#include <sys/socket.h>

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

  // Accepts until stopped; each connection gets a thread. Sockets stay allocated until the
  // target is destroyed, so the destructor can shut one down while its thread reads.
  void Serve() {
    for (;;) {
      auto socket = std::make_unique<tcp::socket>(io);
      beast::error_code ec;
      acceptor.accept(*socket, ec);
      if (ec || stopping) return;
      std::lock_guard lock(mutex);
      tcp::socket& accepted = *sockets.emplace_back(std::move(socket));
      ++counts.accepted;
      counts.most_open = std::max(counts.most_open, ++counts.open);
      connection_threads.emplace_back([this, &accepted] {
        Serve(accepted);
        beast::error_code ignored;
        accepted.shutdown(tcp::socket::shutdown_both, ignored);
        std::lock_guard lock(mutex);
        --counts.open;
        changed.notify_all();
      });
      changed.notify_all();
    }
  }

  void Serve(tcp::socket& socket) {
    if (!tls) return Exchange(socket);
    ssl::stream<tcp::socket&> stream(socket, *tls);
    beast::error_code ec;
    stream.handshake(ssl::stream_base::server, ec);
    if (!ec) Exchange(stream);  // else the client refused the certificate, or is a poke
  }

  // Serves the requests of one connection.
  template <typename Stream>
  void Exchange(Stream& socket) {
    beast::error_code ec;
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      http::read(socket, buffer, request, ec);
      if (ec || stopping) break;
      ReceivedRequest received{std::string(request.method_string()),
                               std::string(request.target()), {}, request.body()};
      for (const auto& field : request) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        received.headers[name] = std::string(field.value());
      }
      TargetResponse answer;
      {
        std::lock_guard one_at_a_time(responder_mutex);
        size_t index;
        {
          std::lock_guard lock(mutex);
          index = received_requests.size();
          received_requests.push_back(received);
        }
        answer = responder(received, index);
      }
      if (answer.hang_up) break;
      http::response<http::string_body> response{static_cast<http::status>(answer.status), 11};
      response.set(http::field::content_type, "application/json");
      response.keep_alive(request.keep_alive());
      for (const auto& [name, value] : answer.headers) response.set(name, value);
      response.body() = answer.body;
      response.prepare_payload();
      http::write(socket, response, ec);
      if (ec || !response.keep_alive()) break;
    }
  }

  Responder responder;
  std::mutex responder_mutex;  // one request answered at a time, as the responders expect
  std::unique_ptr<ssl::context> tls;  // null: plain HTTP
  asio::io_context io;
  tcp::acceptor acceptor;
  std::thread thread;
  std::atomic<bool> stopping{false};
  mutable std::mutex mutex;
  mutable std::condition_variable changed;  // counts
  std::vector<ReceivedRequest> received_requests;
  std::list<std::unique_ptr<tcp::socket>> sockets;
  std::list<std::thread> connection_threads;
  Connections counts;
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
  // Connections a client keeps open: their reads end once the socket is shut down. A system
  // call on the descriptor only, which stays open until the threads are joined.
  {
    std::lock_guard lock(impl_->mutex);
    for (auto& socket : impl_->sockets) ::shutdown(socket->native_handle(), SHUT_RDWR);
  }
  for (std::thread& thread : impl_->connection_threads) thread.join();
}

std::string HttpTarget::url(const std::string& path, const std::string& host) const {
  return std::string(impl_->tls ? "https://" : "http://") + host + ":" + std::to_string(port_) +
         path;
}

std::vector<ReceivedRequest> HttpTarget::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->received_requests;
}

HttpTarget::Connections HttpTarget::connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->counts;
}

bool HttpTarget::WaitForConnections(const std::function<bool(const Connections&)>& condition,
                                    std::chrono::milliseconds limit) const {
  std::unique_lock lock(impl_->mutex);
  return impl_->changed.wait_for(lock, limit, [&] { return condition(impl_->counts); });
}

}  // namespace assent::testing
