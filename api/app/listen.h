// The --listen HOST:PORT flag and the "assent: listening on ..." line that `serve` and
// `demo-service` print once bound (tests read the port from it). Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>

#include "base/status.h"

namespace assent::app {

struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};

// "HOST:PORT", "[v6]:PORT"; PORT 0 lets the OS pick.
Result<ListenAddress> ParseListenAddress(std::string_view text);

// Prints exactly "assent: listening on http://HOST:PORT" to stdout and flushes; returns the URL.
std::string AnnounceListening(const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace assent::app
