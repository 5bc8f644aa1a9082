// The checks RFC 9112 asks of a request's header that Boost.Beast's parser leaves to the server:
// how its body is framed (Transfer-Encoding, Content-Length) and its Host. A request that fails
// them is answered with the error and the connection is closed, since what follows on the
// stream cannot be trusted to frame a next request (the root of request smuggling).
// Pure function; thread-safe.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <optional>

#include "api/errors.h"

namespace assent::api {

// nullopt when the header may be served. Otherwise the error:
// - 400 for Transfer-Encoding together with Content-Length (RFC 9112 §6.1), on an HTTP/1.0
//   request (§6.1), or without chunked as its last coding (§6.3);
// - 501 for a transfer coding other than chunked (§6.1: one the server does not understand);
// - 400 for an HTTP/1.1 request without Host, or any request with more than one Host or an
//   invalid one (§3.2). An HTTP/1.0 request may omit Host: Host is an HTTP/1.1 requirement.
std::optional<ApiError> CheckRequestHeader(
    const boost::beast::http::request_header<boost::beast::http::fields>& header);

}  // namespace assent::api
