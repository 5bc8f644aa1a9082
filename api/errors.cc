#include "api/errors.h"

namespace assent::api {

namespace http = boost::beast::http;

ApiError ApiError::InvalidJson(std::string message) {
  return {http::status::bad_request, "invalid_json", std::move(message)};
}

ApiError ApiError::InvalidArgument(std::string message) {
  return {http::status::bad_request, "invalid_argument", std::move(message)};
}

ApiError ApiError::Unauthorized() {
  return {http::status::unauthorized, "unauthorized", "missing or invalid bearer token"};
}

ApiError ApiError::Forbidden(std::string message) {
  return {http::status::forbidden, "forbidden", std::move(message)};
}

ApiError ApiError::NotFound(std::string message) {
  return {http::status::not_found, "not_found", std::move(message)};
}

ApiError ApiError::MethodNotAllowed() {
  return {http::status::method_not_allowed, "method_not_allowed",
          "this path does not accept that method"};
}

ApiError ApiError::BodyTooLarge(std::optional<uint64_t> size, size_t limit) {
  std::string message = "request body";
  if (size) message += " is " + std::to_string(*size) + " bytes,";
  message += " over the limit of " + std::to_string(limit) + " bytes";
  return {http::status::payload_too_large, "body_too_large", std::move(message)};
}

ApiError ApiError::Unavailable(std::string message) {
  return {http::status::service_unavailable, "unavailable", std::move(message)};
}

ApiError ApiError::TooManyRequests(std::string message) {
  return {http::status::too_many_requests, "too_many_requests", std::move(message)};
}

ApiError ErrorFromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound:
      return ApiError::NotFound(status.message());
    case StatusCode::kInvalidArgument:
      return ApiError::InvalidArgument(status.message());
    case StatusCode::kConflict:
      return {http::status::conflict, "conflict", status.message()};
    case StatusCode::kFailedPrecondition:
      return {http::status::unprocessable_entity, "failed_precondition", status.message()};
    case StatusCode::kUnavailable:
      return {http::status::service_unavailable, "unavailable", status.message()};
    case StatusCode::kTooLarge:
      return {http::status::payload_too_large, "too_large", status.message()};
    case StatusCode::kPermissionDenied:
      return {http::status::forbidden, "forbidden", status.message()};
    case StatusCode::kOk:  // a caller bug; report it rather than pretend success
    case StatusCode::kCorruption:
    case StatusCode::kIOError:
      break;
  }
  return {http::status::internal_server_error, "internal", status.ToString()};
}

boost::json::object ErrorJson(const ApiError& error) {
  return {{"code", error.code}, {"message", error.message}};
}

}  // namespace assent::api
