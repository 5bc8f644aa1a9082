#include "api/server.h"

#include <algorithm>

#include <boost/asio/ip/tcp.hpp>

#include "api/listener.h"
#include "api/server_context.h"
#include "engine/engine.h"

namespace assent::api {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// How long Stop waits for answers the engine gave during its shutdown to be written. Writes are
// bounded on their own (30 s); this keeps one stuck client from holding the whole stop.
constexpr auto kDrainTimeout = std::chrono::seconds(5);

}  // namespace

Server::Server(engine::Engine& engine, std::string admin_token, ServerOptions options)
    : options_(std::move(options)),
      context_(std::make_shared<ServerContext>(engine, std::move(admin_token),
                                               options_.websocket_auth_timeout, *options_.logger)),
      own_ioc_(options_.io_context == nullptr
                   ? std::make_unique<asio::io_context>(options_.threads)
                   : nullptr),
      ioc_(own_ioc_ ? *own_ioc_ : *options_.io_context) {}

Server::~Server() { Stop(); }

Result<tcp::endpoint> Server::Start() {
  boost::system::error_code ec;
  tcp::resolver resolver(ioc_);
  auto endpoints = resolver.resolve(options_.host, std::to_string(options_.port), ec);
  if (ec || endpoints.empty()) {
    return Status::InvalidArgument("cannot resolve " + options_.host + ": " + ec.message());
  }
  listener_ = std::make_shared<Listener>(ioc_, context_);
  if (Status status = listener_->Listen(endpoints.begin()->endpoint()); !status.ok()) {
    listener_.reset();
    return status;
  }
  context_->hub.Start();
  listener_->Run();
  if (own_ioc_) {
    for (int i = 0; i < std::max(1, options_.threads); ++i) {
      threads_.emplace_back([this] { ioc_.run(); });
    }
  }
  return listener_->local_endpoint();
}

void Server::Stop() {
  if (listener_ == nullptr) return;
  listener_->Stop();
  context_->hub.Stop();
  context_->engine.Shutdown();  // every accepted command answers before this returns
  if (!context_->owed.WaitUntilSettled(kDrainTimeout)) {
    context_->logger.Warn("stopping with replies still unwritten",
                          {{"waited_s", std::chrono::duration_cast<std::chrono::seconds>(
                                            kDrainTimeout).count()}});
  }
  if (own_ioc_) {
    ioc_.stop();
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
  }
  listener_.reset();
}

}  // namespace assent::api
