// HttpCall: one outbound HTTP/1.1 request (an `http` step's, or a notification's), made
// asynchronously over a connection from the HttpPool (http_pool.h), over TLS for https:// URLs.
//
// Connections are kept open and reused (keep-alive) unless the response says
// `Connection: close`, and bounded per origin: a call waits its turn for a connection first.
// Its `timeout` starts once it has one (a reused one, or the permission to open one), and
// covers connecting, the TLS handshake, sending and the whole response. A request on a reused
// connection that fails before a single byte of response because the peer had closed it (the
// race every keep-alive client has with a server's idle timeout) is sent once more, on a fresh
// connection, but only when sending it twice is harmless: its method is idempotent (RFC 9110
// 9.2.2: GET, HEAD, PUT, DELETE, OPTIONS) or it carries an Idempotency-Key header (every http
// step's does). A time-out or a failure after the first response byte is never sent again
// here: that is the caller's retry policy.
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
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "base/status.h"
#include "engine/internal/http_pool.h"

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
  // At most this many connections open to the URL's origin at once (the step's
  // `max_connections`). 0: the pool's default (--http-max-connections-per-host).
  size_t max_connections = 0;
};

struct HttpCallResponse {
  unsigned status = 0;
  std::string body;
  std::string retry_after;  // the Retry-After header, when the response has one
};

// Calls `done` exactly once, on `executor`: the response (any status), or kUnavailable for a
// network failure, a time-out or a full queue for the origin, or kInvalidArgument for a
// request that may not be sent (the message names the field: "header 'X-V': value contains LF
// (0x0A) at offset 1; ...").
void StartHttpCall(const std::shared_ptr<HttpPool>& pool,
                   const boost::asio::any_io_executor& executor, HttpCallRequest request,
                   std::function<void(Result<HttpCallResponse>)> done);

}  // namespace assent::engine
