// RequestHandler: the REST API as a plain function from one parsed HTTP request to one response.
// It checks the bearer token, routes /v1/... to the engine facade (and the identity routes to
// the directory) and maps results and errors to JSON. It owns no sockets, so tests drive it
// directly with a fake engine.
//
// Called by HttpSession for every non-WebSocket request. Thread safety: const after
// construction; Handle may run concurrently on any threads.
#pragma once

#include <functional>

#include <boost/asio/ip/address.hpp>

#include "api/auth.h"
#include "api/response.h"
#include "engine/directory.h"
#include "engine/engine.h"

namespace assent::api {

class RequestHandler {
 public:
  using Respond = std::function<void(Response)>;

  // All must outlive the handler.
  RequestHandler(engine::Engine& engine, engine::Directory& directory, const Authenticator& auth);

  // Calls `respond` exactly once: before returning for queries and refusals, else once the
  // command is durable, on an engine strand or (when the command runs at once) on the
  // caller's thread. `respond` must not block and must not assume which; post to your executor.
  // `client`: the peer's address, for the failed-authentication throttle.
  void Handle(const Request& request, const boost::asio::ip::address& client,
              Respond respond) const;

 private:
  engine::Engine& engine_;
  engine::Directory& directory_;
  const Authenticator& auth_;
};

// True when `target` (an origin-form request target) names the WebSocket endpoint /v1/stream.
bool IsStreamTarget(std::string_view target);

}  // namespace assent::api
