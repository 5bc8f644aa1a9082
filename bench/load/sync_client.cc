#include "bench/load/sync_client.h"

#include <stdexcept>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace assent::bench {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

HttpReply HttpCall(boost::asio::io_context& io, const tcp::endpoint& endpoint,
                   const std::string& bearer, http::verb verb, std::string target,
                   std::string body) {
  beast::tcp_stream stream(io);
  stream.connect(endpoint);
  http::request<http::string_body> request{verb, target, 11};
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::authorization, bearer);
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  request.body() = std::move(body);
  request.prepare_payload();
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);  // list answers may be large
  http::read(stream, buffer, parser);
  return {static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
}

void ApplyW1(boost::asio::io_context& io, const tcp::endpoint& endpoint,
             const std::string& bearer, const std::string& name,
             const std::string& editors_group, const std::string& approval_timeout) {
  HttpReply reply =
      HttpCall(io, endpoint, bearer, http::verb::put, "/v1/workflows/" + name,
               boost::json::serialize(W1Definition(name, editors_group, approval_timeout)));
  if (reply.status != 200) throw std::runtime_error("applying " + name + " failed: " + reply.body);
}

std::string AddUser(boost::asio::io_context& io, const tcp::endpoint& endpoint,
                    const std::string& bearer, const std::string& id,
                    const std::vector<std::string>& groups) {
  boost::json::object user{{"id", id},
                           {"groups", boost::json::array(groups.begin(), groups.end())}};
  HttpReply added = HttpCall(io, endpoint, bearer, http::verb::post, "/v1/users",
                             boost::json::serialize(user));
  if (added.status != 201) throw std::runtime_error("adding user " + id + ": " + added.body);
  boost::json::value reply = boost::json::parse(added.body);
  return "Bearer " + std::string(reply.at("token").at("token").as_string());
}

std::string ConnectStream(WebSocket& ws, const tcp::endpoint& endpoint,
                          const std::string& bearer, const std::string& target) {
  ws.next_layer().connect(endpoint);
  ws.next_layer().socket().set_option(tcp::no_delay(true));
  ws.set_option(websocket::stream_base::decorator(
      [bearer](websocket::request_type& request) {
        request.set(http::field::authorization, bearer);
      }));
  ws.handshake("127.0.0.1", target);
  ws.text(true);
  ws.read_message_max(0);  // a snapshot page or a replay frame: no client-side cap
  beast::flat_buffer snapshot;
  ws.read(snapshot);
  return beast::buffers_to_string(snapshot.data());
}

}  // namespace assent::bench
