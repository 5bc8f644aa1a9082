#include "api/response.h"

#include <string>

#include <boost/beast/http/field.hpp>

#include "api/json_writer.h"

namespace assent::api {

namespace http = boost::beast::http;

Response JsonResponse(http::status status, const boost::json::value& body, unsigned version,
                      bool keep_alive) {
  Response response(status, version);
  response.set(http::field::server, "assent");
  response.set(http::field::content_type, "application/json");
  response.keep_alive(keep_alive);
  response.body() = WriteJson(body);
  response.prepare_payload();
  return response;
}

Response ErrorResponse(const ApiError& error, unsigned version, bool keep_alive,
                       std::optional<std::chrono::seconds> retry_after) {
  Response response = JsonResponse(error.status, boost::json::object{{"error", ErrorJson(error)}},
                                   version, keep_alive);
  if (retry_after) response.set(http::field::retry_after, std::to_string(retry_after->count()));
  return response;
}

}  // namespace assent::api
