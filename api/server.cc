#include "api/server.h"

#include <algorithm>

#include <boost/asio/ip/tcp.hpp>

#include "api/listener.h"

namespace assent::api {

namespace asio = boost::asio;
using asio::ip::tcp;

Server::Server(engine::Engine& engine, std::string admin_token, ServerOptions options)
    : engine_(engine),
      options_(std::move(options)),
      auth_(std::move(admin_token)),
      handler_(engine, auth_),
      hub_(engine),
      context_{engine, auth_, handler_, hub_},
      ioc_(options_.threads) {}

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
  hub_.Start();
  listener_->Run();
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    threads_.emplace_back([this] { ioc_.run(); });
  }
  return listener_->local_endpoint();
}

void Server::Stop() {
  if (listener_ == nullptr) return;
  listener_->Stop();
  hub_.Stop();
  engine_.Shutdown();
  ioc_.stop();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
  listener_.reset();
}

}  // namespace assent::api
