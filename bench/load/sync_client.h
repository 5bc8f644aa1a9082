// Blocking client calls for a benchmark's setup and checks (never its measured hot path): one
// HTTP request on a fresh connection, and connecting a reviewer stream with header auth.
#pragma once

#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "bench/load/w1.h"

namespace assent::bench {

using WebSocket = boost::beast::websocket::stream<boost::beast::tcp_stream>;

struct HttpReply {
  int status = 0;
  std::string body;
};

// Sends one request with `Authorization: <bearer>` and a JSON body (when not empty) and reads
// the answer. Throws boost::system::system_error when the connection fails.
HttpReply HttpCall(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
                   const std::string& bearer, boost::beast::http::verb verb, std::string target,
                   std::string body = "");

// Applies the W1 definition (w1.h's W1Definition with these arguments); throws
// std::runtime_error when the server refuses it.
void ApplyW1(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
             const std::string& bearer, const std::string& name = kW1Name,
             const std::string& editors_group = kW1Editors,
             const std::string& approval_timeout = "");

// Adds user `id` in `groups` (as the admin whose bearer this is) and returns the bearer of the
// token the server issued with it. Throws std::runtime_error when the server refuses.
std::string AddUser(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
                    const std::string& bearer, const std::string& id,
                    const std::vector<std::string>& groups);

// Connects `ws` (constructed on some io_context, not yet connected) to `target` with the
// Authorization header, sets text mode and returns the first message: the snapshot's first
// page (or, with ?since=, the first frame of the replay).
std::string ConnectStream(WebSocket& ws, const boost::asio::ip::tcp::endpoint& endpoint,
                          const std::string& bearer, const std::string& target = "/v1/stream");

}  // namespace assent::bench
