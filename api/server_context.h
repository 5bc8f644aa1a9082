// What every session of one server shares: the engine, the directory, the authenticator, the
// request handler, the dashboard's files, the reviewers' hub, the count of owed replies, the connection limit and the
// timeouts.
//
// Created by Server and held by shared_ptr by the server, its listener and every session, so
// a session that outlives the server (say, in a callback the engine still holds) never points
// at freed state. The engine itself must outlive them all: Server::Stop shuts it down, after
// which it runs no callback. Members are const or thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "api/auth.h"
#include "api/connection_limit.h"
#include "api/dashboard_files.h"
#include "api/origin_policy.h"
#include "api/owed_replies.h"
#include "api/router.h"
#include "api/server.h"
#include "api/stream_hub.h"
#include "base/logger.h"

namespace assent::engine {
class Directory;
class Engine;
}

namespace assent::api {

struct ServerContext {
  ServerContext(engine::Engine& engine, engine::Directory& directory, std::string admin_token,
                const ServerOptions& options, size_t max_connections, OriginPolicy origins)
      : engine(engine),
        auth(std::move(admin_token), directory,
             {.burst = options.auth_failure_burst, .window = options.auth_failure_window}),
        handler(engine, directory, auth),
        dashboard(options.dashboard_dir),
        hub(engine, {.history = options.stream_history,
                     .visible = options.stream_visibility ? options.stream_visibility
                                                          : EngineVisibility(engine),
                     .deciders = EngineDeciders(engine)}),
        origins(std::move(origins)),
        connections(max_connections),
        refusals(kMaxRefusing),
        websocket_auth_timeout(options.websocket_auth_timeout),
        stream_idle_timeout(options.stream_idle_timeout),
        stream_recheck_interval(options.stream_recheck_interval),
        stream_max_queued(options.stream_max_queued),
        idle_timeout(options.idle_timeout),
        header_timeout(options.header_timeout),
        body_timeout(options.body_timeout),
        logger(*options.logger) {}

  // Connections over the limit being answered 503 at once; beyond these they are just closed.
  // Their descriptors come out of the reserve the connection limit leaves.
  static constexpr size_t kMaxRefusing = 64;

  engine::Engine& engine;
  const Authenticator auth;
  const RequestHandler handler;
  const DashboardFiles dashboard;
  StreamHub hub;
  const OriginPolicy origins;  // who may open a stream
  OwedReplies owed;
  ConnectionLimit connections;  // a slot per open session
  ConnectionLimit refusals;     // a slot per connection being refused
  // See ServerOptions.
  const std::chrono::milliseconds websocket_auth_timeout;
  const std::chrono::milliseconds stream_idle_timeout;
  const std::chrono::milliseconds stream_recheck_interval;
  const size_t stream_max_queued;
  const std::chrono::milliseconds idle_timeout;
  const std::chrono::milliseconds header_timeout;
  const std::chrono::milliseconds body_timeout;
  Logger& logger;
};

}  // namespace assent::api
