// ApiError: how the api layer reports a failure to a client: an HTTP status, a stable machine
// code ("not_found", "invalid_json", ...) and a message for people. REST answers carry it as
// {"error": {"code", "message"}}; the WebSocket as {"type": "error", "error": {...}}.
// Plain values; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/beast/http/status.hpp>
#include <boost/json/object.hpp>

#include "base/status.h"

namespace assent::api {

struct ApiError {
  boost::beast::http::status status;
  std::string code;
  std::string message;

  static ApiError InvalidJson(std::string message);
  static ApiError InvalidArgument(std::string message);
  static ApiError Unauthorized();
  // 403: the caller is known but may not do this.
  static ApiError Forbidden(std::string message);
  static ApiError NotFound(std::string message);
  static ApiError MethodNotAllowed();
  // `size`: the body's length, when known (a Content-Length); `limit`: the one it is over.
  static ApiError BodyTooLarge(std::optional<uint64_t> size, size_t limit);
  // 503 and 429: answer them with a Retry-After (ErrorResponse's retry_after).
  static ApiError Unavailable(std::string message);
  static ApiError TooManyRequests(std::string message);
};

// The one mapping from engine codes to HTTP status + error code.
// REQUIRES: !status.ok()
ApiError ErrorFromStatus(const Status& status);

// {"code": ..., "message": ...}
boost::json::object ErrorJson(const ApiError& error);

}  // namespace assent::api
