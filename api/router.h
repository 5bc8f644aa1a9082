// RequestHandler: the REST API as a plain function from one parsed HTTP request to one response.
// It checks the bearer token, routes /v1/... to the engine facade and maps results and errors to
// JSON. It owns no sockets, so tests drive it directly with a fake engine.
//
// Called by HttpSession for every non-WebSocket request. Thread safety: const after
// construction; Handle may run concurrently on any threads.
#pragma once

#include <functional>

#include "api/auth.h"
#include "api/response.h"
#include "engine/engine.h"

namespace assent::api {

class RequestHandler {
 public:
  using Respond = std::function<void(Response)>;

  // Both must outlive the handler.
  RequestHandler(engine::Engine& engine, const Authenticator& auth);

  // Calls `respond` exactly once: before returning for queries and refusals, or later on the
  // engine's thread once a command is durable. `respond` must not block; post to your executor.
  void Handle(const Request& request, Respond respond) const;

 private:
  engine::Engine& engine_;
  const Authenticator& auth_;
};

// True when `target` (an origin-form request target) names the WebSocket endpoint /v1/stream.
bool IsStreamTarget(std::string_view target);

}  // namespace assent::api
