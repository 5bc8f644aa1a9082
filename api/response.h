// The HTTP message types the server speaks and the helpers that build JSON responses, shared by
// the request handler and the sessions (which answer parse errors before any handler runs).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>

#include "api/errors.h"

namespace assent::api {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// Request bodies above this size are refused with 413.
inline constexpr size_t kMaxBodyBytes = 1u << 20;

// A response whose body is `body` serialized, Content-Type application/json.
Response JsonResponse(boost::beast::http::status status, const boost::json::value& body,
                      unsigned version, bool keep_alive);
// {"error": {"code", "message"}} with the error's status; with `retry_after`, a Retry-After
// header (for 429 and 503) telling the client when to try again.
Response ErrorResponse(const ApiError& error, unsigned version, bool keep_alive,
                       std::optional<std::chrono::seconds> retry_after = std::nullopt);

}  // namespace assent::api
