// Reply and Call: what a REST route handler (void(Call&)) gets: the engine and the directory,
// the request, its path parameters and query, the authenticated principal, and the one way to
// answer. Shared by the routes of api/router.cc and api/identity_routes.cc.
#pragma once

#include <chrono>
#include <utility>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/status.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/url/url_view.hpp>

#include "api/commands.h"
#include "api/errors.h"
#include "api/json_views.h"
#include "api/protocol/wait.h"
#include "api/response.h"
#include "api/router.h"
#include "engine/actor.h"
#include "engine/directory.h"
#include "engine/engine.h"

namespace assent::api {

// Answers one request, with its X-Request-Id. Copied into engine callbacks, so it carries what
// the response needs rather than a reference to the request.
class Reply {
 public:
  Reply(const Request& request, std::string request_id, RequestHandler::Respond respond)
      : version_(request.version()),
        keep_alive_(request.keep_alive()),
        request_id_(std::move(request_id)),
        respond_(std::move(respond)) {}

  const std::string& request_id() const { return request_id_; }

  void Json(boost::beast::http::status status, const boost::json::value& body) const {
    Send(JsonResponse(status, body, version_, keep_alive_));
  }
  void Error(const ApiError& error,
             std::optional<std::chrono::seconds> retry_after = std::nullopt) const {
    Send(ErrorResponse(error, version_, keep_alive_, retry_after));
  }
  // The view as JSON with `status`, or the result's error.
  template <typename T>
  void View(Result<T> result,
            boost::beast::http::status status = boost::beast::http::status::ok) const {
    if (!result.ok()) return Error(ErrorFromStatus(result.status()));
    Json(status, ToJson(std::move(result).value()));
  }
  // {key: [views...]}, or the result's error.
  template <typename T>
  void List(const Result<std::vector<T>>& result, std::string_view key) const {
    if (!result.ok()) return Error(ErrorFromStatus(result.status()));
    Json(boost::beast::http::status::ok, boost::json::object{{key, ToJsonArray(*result)}});
  }

 private:
  void Send(Response response) const {
    response.set("X-Request-Id", request_id_);
    respond_(std::move(response));
  }

  unsigned version_;
  bool keep_alive_;
  std::string request_id_;
  RequestHandler::Respond respond_;
};

// Everything a route needs: the engine, the directory, the request, the path parameters, the
// query, the caller.
struct Call {
  engine::Engine& engine;
  engine::Directory& directory;
  const Request& request;
  const boost::urls::url_view& url;
  std::vector<std::string> params;  // the segments matched by "*", in order
  engine::Principal caller;         // who is calling (empty on open routes)
  Reply reply;

  // The caller behind a command this request carries.
  engine::Actor Actor() const {
    return engine::Actor{caller, engine::Channel::kRest, reply.request_id()};
  }

  std::optional<std::string> Query(std::string_view key) const {
    auto it = url.params().find(key);
    if (it == url.params().end()) return std::nullopt;
    return std::string((*it).value);
  }
  // ?wait= (see ParseWait): a long poll's limit; 0 when absent; nullopt after answering 400.
  std::optional<std::chrono::milliseconds> Wait() const {
    std::optional<std::string> text = Query("wait");
    if (!text) return std::chrono::milliseconds(0);
    return Command(ParseWait(*text));
  }
  // The body as a JSON object ({} when empty); nullopt after answering 400.
  std::optional<boost::json::object> Body() const {
    std::string why;
    std::optional<boost::json::object> body = ParseJsonObject(request.body(), &why);
    if (!body) reply.Error(ApiError::InvalidJson(why));
    return body;
  }
  // The command, or nullopt after answering with its error.
  template <typename T>
  std::optional<T> Command(Result<T> command) const {
    if (!command.ok()) {
      reply.Error(ErrorFromStatus(command.status()));
      return std::nullopt;
    }
    return std::move(command).value();
  }
};

}  // namespace assent::api
