// HostAllowList: the hosts an http step whose URL takes its scheme, host or port from run data
// may call (its `allow_hosts`). Without one, a step's origin must be literal in the definition.
//
//   "api.example.com"         that name, port 80
//   "api.example.com:8443"    that name, that port
//   "*.payments.example.com"  any name below payments.example.com (not itself), port 80
//   "127.0.0.1:8080", "[::1]:8080"   that address, that port
//
// An entry without a port allows port 80 only, so an allowed host cannot be scanned port by
// port. Entries follow the rules of a URL's host (outbound_url.h). Immutable; thread-safe.
#pragma once

#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "base/status.h"
#include "engine/internal/outbound_url.h"

namespace assent::engine {

class HostAllowList {
 public:
  HostAllowList() = default;  // allows nothing

  // `entries` must be a non-empty array of entry strings.
  static Result<HostAllowList> Parse(const boost::json::value& entries);

  bool empty() const { return entries_.empty(); }
  bool Allows(const OutboundHost& host) const;

  bool operator==(const HostAllowList&) const = default;

 private:
  struct Entry {
    bool below = false;  // "*.suffix": names ending in ".suffix"
    OutboundHost host;   // for `below`, host.host is the suffix
    bool operator==(const Entry&) const = default;
  };
  std::vector<Entry> entries_;
};

}  // namespace assent::engine
