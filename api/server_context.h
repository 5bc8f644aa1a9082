// What every session of one server shares. Owned by Server, which outlives its sessions'
// handlers (it stops and joins the io threads before destroying these).
#pragma once

namespace assent::engine {
class Engine;
}

namespace assent::api {

class Authenticator;
class RequestHandler;
class StreamHub;

struct ServerContext {
  engine::Engine& engine;
  const Authenticator& auth;
  const RequestHandler& handler;
  StreamHub& hub;
};

}  // namespace assent::api
