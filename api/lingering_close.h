// LingeringClose: ends a connection after its last response without losing that response.
// Closing a socket with unread input makes the kernel send RST, and a client that gets RST may
// discard the response it has not read yet; so the server half-closes, then reads and discards
// what the client still sends until it closes too or kLingerTimeout passes.
//
// Called on the stream's strand by the session that owns the stream; the close then owns it
// (and the connection slot, released when the socket really closes). Lives by shared_from_this.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>

#include "api/connection_limit.h"

namespace assent::api {

inline constexpr auto kLingerTimeout = std::chrono::seconds(2);

void LingeringClose(boost::beast::tcp_stream stream, ConnectionLimit::Slot slot);

}  // namespace assent::api
