// OutboundUrl: a URL an http step may call, parsed strictly (RFC 3986, by Boost.URL) once its
// template is rendered, and again by the call itself. What passes can go on a request line and
// in a Host header as it is: no byte that ends a line, no ambiguity about which host is meant.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace assent::engine {

// Where a call goes. Names are compared case-insensitively and addresses by value, so every
// spelling of one host has one OutboundHost.
struct OutboundHost {
  enum class Kind { kName, kIpv4, kIpv6 };
  Kind kind = Kind::kName;
  std::string host;   // a lower-case name, or an address in canonical form (IPv6 unbracketed)
  uint16_t port = 80;  // the scheme's default (80, 443 for https) when none is given

  // "api.example.com:80", "[::1]:8080": for messages.
  std::string ToString() const;
  bool operator==(const OutboundHost&) const = default;
};

struct OutboundUrl {
  bool tls = false;  // https://: TLS, the certificate verified for `host`
  OutboundHost host;
  std::string host_header;  // as the URL spells it: "api.example.com", "[::1]:8080"
  std::string target;       // path and query, "/" when empty; the fragment is never sent
};

// An absolute http:// or https:// URL of printable ASCII, without user info,
// whose host is a DNS name (letters, digits, '-', '_', '.'; not percent-encoded), a dotted-
// decimal IPv4 address or a bracketed IPv6 address, whose port (if any) is 1-65535 and whose
// path has no '.' or '..' segment. A name that reads as a number in another spelling
// (2852039166, 0xA9FEA9FE, 0251.0376.0251.0376, 169.254.43518) is refused: resolvers turn it
// into an address that no allow-list entry or reader would recognise.
Result<OutboundUrl> ParseOutboundUrl(std::string_view url);

// "host" or "host:port" under the same rules as a URL's host and port (IPv6 in brackets).
Result<OutboundHost> ParseOutboundAuthority(std::string_view authority);

}  // namespace assent::engine
