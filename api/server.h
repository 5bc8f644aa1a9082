// Server: the HTTP + WebSocket front end over one Engine. Owns the io_context, the io threads,
// the listener, the request handler and the reviewers' hub.
//
// Used by `assent serve` and by tests (which pass a fake engine and port 0). Start and Stop are
// called from one controlling thread; everything else runs on the io threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "api/auth.h"
#include "api/router.h"
#include "api/server_context.h"
#include "api/stream_hub.h"
#include "engine/engine.h"

namespace assent::api {

class Listener;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: the OS picks
  int threads = 2;
};

class Server {
 public:
  // `engine` must outlive the server.
  Server(engine::Engine& engine, std::string admin_token, ServerOptions options);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, starts accepting and starts the io threads. Returns the bound endpoint.
  Result<boost::asio::ip::tcp::endpoint> Start();
  // Stops accepting, unsubscribes from the engine, shuts the engine down (so every command in
  // flight answers while the io threads still run), then stops and joins the io threads.
  // Idempotent.
  void Stop();

 private:
  engine::Engine& engine_;
  ServerOptions options_;
  Authenticator auth_;
  RequestHandler handler_;
  StreamHub hub_;
  ServerContext context_;
  // Declared after what sessions reference: destroying it destroys the sessions still queued.
  boost::asio::io_context ioc_;
  std::shared_ptr<Listener> listener_;
  std::vector<std::thread> threads_;
};

}  // namespace assent::api
