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

// The most content a request may carry: the largest input, comment or definition the API takes
// (`assent serve` refuses engine limits above it, so no limit it sets is out of reach). Bodies
// may be larger by kBodyEnvelopeBytes, room for the fields around that content; above that
// they are refused with 413 `body_too_large`.
inline constexpr size_t kMaxRequestContentBytes = 1u << 20;
inline constexpr size_t kBodyEnvelopeBytes = 64u << 10;
inline constexpr size_t kMaxBodyBytes = kMaxRequestContentBytes + kBodyEnvelopeBytes;

// A response whose body is `body` serialized, Content-Type application/json.
Response JsonResponse(boost::beast::http::status status, const boost::json::value& body,
                      unsigned version, bool keep_alive);
// {"error": {"code", "message"}} with the error's status; with `retry_after`, a Retry-After
// header (for 429 and 503) telling the client when to try again.
Response ErrorResponse(const ApiError& error, unsigned version, bool keep_alive,
                       std::optional<std::chrono::seconds> retry_after = std::nullopt);

}  // namespace assent::api
