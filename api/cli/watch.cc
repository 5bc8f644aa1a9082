// `assent watch`: follows the reviewers' WebSocket and prints pending approvals, then each
// approval event as it happens, until interrupted. Connecting and the handshake are bounded by
// --timeout-ms; after that it waits for events as long as the stream stays open.
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/parse.hpp>

#include "api/cli/client.h"
#include "api/cli/command.h"
#include "api/cli/format.h"

namespace assent::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace json = boost::json;
namespace websocket = beast::websocket;

namespace {

// One line (or block) per stream message; a batch is described message by message.
std::string Describe(const json::object& message) {
  std::string type = FieldText(message, "type");
  if (type == "batch") {
    std::string out;
    if (const json::value* messages = message.if_contains("messages"); messages && messages->is_array()) {
      for (const json::value& inner : messages->get_array()) {
        if (inner.is_object()) out += Describe(inner.get_object());
      }
    }
    return out;
  }
  if (type == "snapshot") {
    const json::value* pending = message.if_contains("pending");
    if (pending == nullptr || !pending->is_array() || pending->get_array().empty()) {
      return "no pending approvals; watching...\n";
    }
    std::string out = "pending approvals:\n";
    for (const json::value& approval : pending->get_array()) {
      if (approval.is_object()) out += "  " + FormatApprovalLine(approval.get_object()) + "\n";
    }
    return out + "watching...\n";
  }
  if (const json::value* approval = message.if_contains("approval");
      approval && approval->is_object()) {
    return type + "  " + FormatApprovalLine(approval->get_object()) + "\n";
  }
  if (const json::value* error = message.if_contains("error"); error && error->is_object()) {
    return "error " + FieldText(error->get_object(), "code") + ": " +
           FieldText(error->get_object(), "message") + "\n";
  }
  return type + "\n";
}

int Watch(const ParsedArgs& args) {
  Result<ClientConfig> config = ResolveClientConfig(args);
  if (!config.ok()) {
    std::cerr << "assent: " << config.status().message() << "\n";
    return 1;
  }
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws(ioc);
  beast::error_code ec;
  asio::ip::tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(config->host, config->port, ec);
  beast::get_lowest_layer(ws).expires_after(config->timeout);  // connect and handshake together
  if (!ec) {
    ec = RunToCompletion(
        ioc, [&](auto done) { beast::get_lowest_layer(ws).async_connect(endpoints, done); });
  }
  if (ec) {
    std::cerr << "assent: " << DescribeNetworkError(*config, ec) << "\n";
    return 1;
  }
  std::string token = config->token;
  ws.set_option(websocket::stream_base::decorator([token](websocket::request_type& request) {
    request.set(beast::http::field::user_agent, "assent-cli");
    if (!token.empty()) request.set(beast::http::field::authorization, "Bearer " + token);
  }));
  websocket::response_type response;
  ec = RunToCompletion(ioc, [&](auto done) {
    ws.async_handshake(response, config->host + ":" + config->port,
                       config->base_path + "/v1/stream", done);
  });
  if (ec == beast::error::timeout) {
    std::cerr << "assent: " << DescribeNetworkError(*config, ec) << "\n";
    return 1;
  }
  if (ec) {
    std::cerr << "assent: the server refused the stream (HTTP " << response.result_int()
              << "): " << (response.body().empty() ? ec.message() : response.body()) << "\n";
    return 1;
  }
  // Events may be hours apart: from here on, reads wait as long as the connection lives.
  beast::get_lowest_layer(ws).expires_never();
  beast::flat_buffer buffer;
  for (;;) {
    ws.read(buffer, ec);
    if (ec) {
      std::cerr << "assent: stream ended: " << ec.message() << "\n";
      return 1;
    }
    std::string text = beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    json::value message = json::parse(text, ec);
    if (args.Has("json") || ec || !message.is_object()) {
      std::cout << text << std::endl;
    } else {
      std::cout << Describe(message.get_object()) << std::flush;
    }
  }
}

}  // namespace

Command WatchCommand() {
  return {"watch", "Print pending approvals, then approval events live, until Ctrl-C.", "", 0, 0,
          ClientFlags(), Watch};
}

}  // namespace assent::cli
