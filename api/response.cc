#include "api/response.h"

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>

namespace assent::api {

namespace http = boost::beast::http;

Response JsonResponse(http::status status, const boost::json::value& body, unsigned version,
                      bool keep_alive) {
  Response response(status, version);
  response.set(http::field::server, "assent");
  response.set(http::field::content_type, "application/json");
  response.keep_alive(keep_alive);
  response.body() = boost::json::serialize(body);
  response.prepare_payload();
  return response;
}

Response ErrorResponse(const ApiError& error, unsigned version, bool keep_alive) {
  return JsonResponse(error.status, boost::json::object{{"error", ErrorJson(error)}}, version,
                      keep_alive);
}

}  // namespace assent::api
