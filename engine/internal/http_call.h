// HttpCall: one outbound HTTP/1.1 request (an `http` step's, or a notification's), made
// asynchronously on the caller's executor, over TLS for https:// URLs.
//
// The last gate before the wire: the method must be a token, every header name a token that
// does not frame the message and every value free of control characters (http_fields.h), the
// URL a strict outbound URL (outbound_url.h); else nothing is sent. The host is resolved, every
// address it resolves to is checked against the link-local and metadata ranges
// (link_local.h), and the connection goes to exactly those addresses, so a name rebound between
// check and connect cannot slip through. Redirects are not followed: a 3xx is the response.
// https: the server's certificate must chain to a trusted CA (the system's store, or only the
// CAs in `ca_file` when one is given) and name the URL's host (RFC 6125, SNI sent for names);
// anything else fails the call before a byte of the request is sent.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "base/status.h"

namespace assent::engine {

struct HttpCallRequest {
  std::string method;
  std::string url;
  std::string body;  // sent as application/json when not empty
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{10'000};
  // A longer response body fails the call with kTooLarge (not retried: it would be as long).
  size_t max_response_bytes = 4u << 20;
  bool allow_link_local = false;  // EngineOptions::http_allow_link_local
  // https: a PEM file of the CAs to trust instead of the system's store (a private CA). Empty:
  // the system's store.
  std::string ca_file;
};

struct HttpCallResponse {
  unsigned status = 0;
  std::string body;
};

// Calls `done` exactly once, on `executor`: the response (any status), or kUnavailable for a
// network failure or time-out, or kInvalidArgument for a request that may not be sent (the
// message names the field: "header 'X-V': value contains LF (0x0A) at offset 1; ...").
void StartHttpCall(const boost::asio::any_io_executor& executor, HttpCallRequest request,
                   std::function<void(Result<HttpCallResponse>)> done);

}  // namespace assent::engine
