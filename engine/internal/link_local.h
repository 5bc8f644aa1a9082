// Which addresses an http step may not reach unless the operator allows it: link-local ranges
// and cloud metadata services, where a request from inside a host reads its credentials.
// Checked on the addresses a host resolves to, just before connecting to exactly those, so
// a name that resolves there (or is rebound to resolve there) is caught as well as a literal.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include <boost/asio/ip/address.hpp>

namespace assent::engine {

// The range `address` falls in, described for a message ("link-local 169.254.0.0/16"), or
// nullopt when it may be reached. Covered: 169.254.0.0/16, fe80::/10, fd00:ec2::254 (AWS's
// IPv6 metadata service) and 100.100.100.200 (Alibaba Cloud's), also inside IPv6 as an
// IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) or NAT64 (64:ff9b::a.b.c.d)
// address.
std::optional<std::string> LinkLocalOrMetadataRange(const boost::asio::ip::address& address);

}  // namespace assent::engine
