// What every session of one server shares: the engine, the authenticator, the request handler,
// the reviewers' hub and the count of owed replies.
//
// Created by Server and held by shared_ptr by the server, its listener and every session, so
// a session that outlives the server (say, in a callback the engine still holds) never points
// at freed state. The engine itself must outlive them all: Server::Stop shuts it down, after
// which it runs no callback. Members are const or thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "api/auth.h"
#include "api/owed_replies.h"
#include "api/router.h"
#include "api/stream_hub.h"
#include "base/logger.h"

namespace assent::engine {
class Engine;
}

namespace assent::api {

struct ServerContext {
  ServerContext(engine::Engine& engine, std::string admin_token,
                std::chrono::milliseconds auth_timeout, Logger& logger)
      : engine(engine),
        auth(std::move(admin_token)),
        handler(engine, auth),
        hub(engine),
        websocket_auth_timeout(auth_timeout),
        logger(logger) {}

  engine::Engine& engine;
  const Authenticator auth;
  const RequestHandler handler;
  StreamHub hub;
  OwedReplies owed;
  // How long a WebSocket without an Authorization header has to send its auth message.
  const std::chrono::milliseconds websocket_auth_timeout;
  Logger& logger;
};

}  // namespace assent::api
