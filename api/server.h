// Server: the HTTP + WebSocket front end over one Engine. Owns the io_context, the io threads
// and the listener; shares the request handler and the reviewers' hub with its sessions through
// a ServerContext.
//
// Used by `assent serve` and by tests (which pass a fake engine and port 0). Start and Stop are
// called from one controlling thread; everything else runs on the io threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "api/stream_visibility.h"
#include "base/logger.h"
#include "base/status.h"

namespace assent::engine {
class Directory;
class Engine;
}

namespace assent::api {

class Listener;
struct ServerContext;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: the OS picks
  // io threads. Two, although one measured the same W1 throughput with fewer wake-ups: queries
  // and a reviewer's snapshot run on an io thread, and a long one (a snapshot of many pending
  // approvals takes seconds) must not stall every other connection.
  int threads = 2;
  // Run on this io_context (whose threads the caller runs, and stops after Stop) instead of
  // the server's own `threads`: `assent serve` shares it with the engine's shards, so a request
  // and the command it carries run on the same thread. Null: the server runs its own.
  boost::asio::io_context* io_context = nullptr;
  // A WebSocket that has neither an Authorization header nor sent its auth message by then is
  // told so and closed.
  std::chrono::milliseconds websocket_auth_timeout = std::chrono::seconds(10);
  // Connections (HTTP and WebSocket) held open at once; one more is answered 503 and closed.
  // 0: DefaultMaxConnections(), the descriptor limit minus a reserve for storage.
  size_t max_connections = 0;
  // A keep-alive connection (or a new one) that sends nothing for this long is closed.
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(30);
  // From a request's first byte to the end of its headers; then, separately, to the end of its
  // body. A client too slow for either is disconnected (slowloris).
  std::chrono::milliseconds header_timeout = std::chrono::seconds(10);
  std::chrono::milliseconds body_timeout = std::chrono::seconds(30);
  // Failed authentications an address may make in a burst, refilled over the window; then 429.
  // 0: unlimited.
  size_t auth_failure_burst = 10;
  std::chrono::seconds auth_failure_window = std::chrono::seconds(60);
  // Reviewers' stream (/v1/stream). Notifications kept for reviewers who reconnect with a
  // cursor (`--stream-history`); one older than these gets a reset and a fresh snapshot.
  size_t stream_history = 20'000;
  // Frames waiting for one reviewer; a reviewer that lets more pile up (it stopped reading)
  // is disconnected (1008, "too slow: N messages queued") (`--stream-max-queued`).
  size_t stream_max_queued = 4096;
  // A stream connection is pinged halfway through this and dropped when nothing (a pong,
  // a message) has come back by its end (`--stream-idle-timeout`).
  std::chrono::milliseconds stream_idle_timeout = std::chrono::seconds(60);
  // A stream's token is checked again this often: one revoked or expired (or whose user was
  // removed) ends the stream (1008); one whose user's groups changed is asked to reconnect
  // (1012), so what the stream shows follows the user's access.
  std::chrono::milliseconds stream_recheck_interval = std::chrono::seconds(5);
  // Web pages (origins, scheme://host[:port]) besides the server's own that may open a
  // stream (`--allowed-origin`, repeatable). A request without Origin is not a page's and is
  // allowed.
  std::vector<std::string> allowed_origins = {};
  // Which approvals each reviewer sees on the stream; null: the engine's access rules
  // (EngineVisibility). Tests set a rule of their own.
  StreamVisibility stream_visibility = nullptr;
  // Serve the dashboard's files from this folder, read on every request, instead of the ones
  // compiled in (`--dashboard-dir`: for working on the page without rebuilding).
  std::optional<std::filesystem::path> dashboard_dir = std::nullopt;
  // Network errors, and at debug every request (never its headers: they carry tokens). Must
  // outlive the server.
  Logger* logger = &NullLogger();
};

class Server {
 public:
  // `engine` and `directory` must stay alive until Stop() returns; after that the server never
  // touches them. Requests authenticate with `admin_token` (the bootstrap admin) or a token of
  // `directory`.
  Server(engine::Engine& engine, engine::Directory& directory, std::string admin_token,
         ServerOptions options);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, starts accepting and starts the io threads (its own). Returns the bound endpoint.
  Result<boost::asio::ip::tcp::endpoint> Start();
  // Stops accepting and unsubscribes from the engine, then shuts the engine down while the io
  // threads still run, so every command it accepted answers and the answer is written (waiting
  // a bounded time for slow clients). Then stops and joins its own io threads. Idempotent.
  //
  // With a shared io_context, connections still open keep running on it (the engine refuses
  // their commands from now on) until the caller stops it, which it must do before it destroys
  // the engine (as `assent serve` does). Sessions still held by handlers go with the
  // io_context, which must outlive the server.
  void Stop();

 private:
  // Says what the connection limit is, and warns when it eats into the descriptor reserve.
  void LogConnectionLimit() const;

  ServerOptions options_;
  std::shared_ptr<ServerContext> context_;
  std::unique_ptr<boost::asio::io_context> own_ioc_;  // when options_.io_context is null
  boost::asio::io_context& ioc_;
  std::shared_ptr<Listener> listener_;
  std::vector<std::thread> threads_;  // the own io_context's threads
};

}  // namespace assent::api
