// The bytes an http step's call puts on the wire, built from an HttpCallRequest only once the
// method, every header and the URL pass their checks (http_fields.h, outbound_url.h). Split
// from HttpCall so the fuzz target can serialize and re-parse exactly what would be sent.
//
// Pure function; thread-safe.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "base/status.h"
#include "engine/internal/http_call.h"
#include "engine/internal/outbound_url.h"

namespace assent::engine {

struct WireRequest {
  bool tls = false;   // https: a TLS session verified for host.host
  OutboundHost host;  // where to connect
  boost::beast::http::request<boost::beast::http::string_body> message;
};

// kInvalidArgument names the field: "method ...", "header 'X-V': value contains ...", "url: ...".
Result<WireRequest> BuildWireRequest(const HttpCallRequest& request);

}  // namespace assent::engine
