// RefuseConnection: answers a connection the server has no room for with 503 `unavailable`
// (Retry-After: 1) and closes it, without reading its request: a client learns at once that it
// should retry, instead of waiting for a timeout. Bounded: a 1 s write deadline, then a
// LingeringClose. Called by Listener on the socket's strand; fire and forget.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstddef>

#include "api/connection_limit.h"

namespace assent::api {

// `slot`: taken from the server's limit on refusals in flight. `max_connections`: for the message.
void RefuseConnection(boost::asio::ip::tcp::socket socket, ConnectionLimit::Slot slot,
                      size_t max_connections);

}  // namespace assent::api
