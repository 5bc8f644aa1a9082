#include "api/server.h"

#include <algorithm>
#include <cstdint>

#include <boost/asio/ip/tcp.hpp>

#include "api/connection_limit.h"
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

// A malformed list allows no other site; Start reports it.
OriginPolicy OriginsOrNone(const std::vector<std::string>& allowed) {
  Result<OriginPolicy> policy = OriginPolicy::Make(allowed);
  return policy.ok() ? std::move(policy).value() : OriginPolicy();
}

}  // namespace

Server::Server(engine::Engine& engine, engine::Directory& directory, std::string admin_token,
               ServerOptions options)
    : options_(std::move(options)),
      context_(std::make_shared<ServerContext>(
          engine, directory, std::move(admin_token), options_,
          options_.max_connections > 0 ? options_.max_connections : DefaultMaxConnections(),
          OriginsOrNone(options_.allowed_origins))),
      own_ioc_(options_.io_context == nullptr
                   ? std::make_unique<asio::io_context>(options_.threads)
                   : nullptr),
      ioc_(own_ioc_ ? *own_ioc_ : *options_.io_context) {}

Server::~Server() { Stop(); }

Result<tcp::endpoint> Server::Start() {
  if (auto origins = OriginPolicy::Make(options_.allowed_origins); !origins.ok()) {
    return origins.status();
  }
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
  LogConnectionLimit();
  context_->hub.Start();
  listener_->Run();
  if (own_ioc_) {
    for (int i = 0; i < std::max(1, options_.threads); ++i) {
      threads_.emplace_back([this] { ioc_.run(); });
    }
  }
  return listener_->local_endpoint();
}

void Server::LogConnectionLimit() const {
  size_t max = context_->connections.max();
  size_t descriptors = DescriptorLimit();
  if (descriptors == SIZE_MAX) {
    return context_->logger.Info("connection limit", {{"max_connections", max}});
  }
  context_->logger.Info("connection limit",
                        {{"max_connections", max}, {"open_files_limit", descriptors}});
  if (max + DescriptorReserve(descriptors) > descriptors) {
    context_->logger.Warn(
        "the connection limit leaves storage too few descriptors: a flood of connections may "
        "stop the server; lower --max-connections or raise the open-files limit (ulimit -n)",
        {{"max_connections", max},
         {"open_files_limit", descriptors},
         {"reserve", DescriptorReserve(descriptors)}});
  }
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
