// `assent demo-service`: a tiny local HTTP service the example workflows call, so they run
// without an outside service. GET /records answers the customer records of demo_records.h (the
// data-deletion example fetches them); any POST (a payment, a deletion, an email, a deployment)
// gets 200 {"id": "<n>", "received": <the request's JSON body>}. No auth; not for production.
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>

#include "api/app/app_commands.h"
#include "api/app/demo_records.h"
#include "api/app/listen.h"
#include "api/response.h"

namespace assent::app {

using cli::Command;
using cli::ParsedArgs;

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using asio::ip::tcp;
using api::ApiError;
using api::Request;
using api::Response;

namespace {

std::atomic<uint64_t> next_id{1};

Response Answer(const Request& request) {
  if (request.method() == http::verb::get) {
    if (request.target() != "/records") {
      return api::ErrorResponse(ApiError::NotFound("the demo service answers GET /records only"),
                                request.version(), request.keep_alive());
    }
    auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    return api::JsonResponse(http::status::ok, DemoRecords(today), request.version(),
                             request.keep_alive());
  }
  if (request.method() != http::verb::post) {
    return api::ErrorResponse(ApiError::MethodNotAllowed(), request.version(),
                              request.keep_alive());
  }
  boost::system::error_code ec;
  json::value received = json::parse(request.body(), ec);
  if (ec) received = request.body();  // not JSON: echo the text
  json::object body{{"id", std::to_string(next_id++)}, {"received", std::move(received)}};
  return api::JsonResponse(http::status::ok, body, request.version(), request.keep_alive());
}

// Serves one connection until the client closes it. Runs on its own thread.
void ServeConnection(tcp::socket socket) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(api::kMaxBodyBytes);
    beast::error_code ec;
    http::read(socket, buffer, parser, ec);
    if (ec) return;
    Response response = Answer(parser.get());
    http::write(socket, response, ec);
    if (ec || !response.keep_alive()) return;
  }
}

int DemoService(const ParsedArgs& args) {
  Result<ListenAddress> listen = ParseListenAddress(args.Get("listen").value_or("127.0.0.1:8090"));
  if (!listen.ok()) {
    std::cerr << "assent demo-service: " << listen.status().message() << "\n";
    return 2;
  }
  asio::io_context ioc;
  beast::error_code ec;
  tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(listen->host, std::to_string(listen->port), ec);
  tcp::acceptor acceptor(ioc);
  if (!ec) acceptor.open(endpoints.begin()->endpoint().protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoints.begin()->endpoint(), ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::cerr << "assent demo-service: cannot listen on " << listen->host << ":" << listen->port
              << ": " << ec.message() << "\n";
    return 1;
  }
  AnnounceListening(acceptor.local_endpoint());
  for (;;) {
    tcp::socket socket = acceptor.accept(ec);
    if (ec) continue;
    std::thread(ServeConnection, std::move(socket)).detach();
  }
}

}  // namespace

Command DemoServiceCommand() {
  return {"demo-service",
          "Run the local HTTP service the example workflows call: GET /records lists demo "
          "customer records, any POST gets 200 with an id.",
          "",
          0,
          0,
          {{"listen", true, "address to listen on (default 127.0.0.1:8090; port 0: any)",
            "HOST:PORT"}},
          DemoService};
}

}  // namespace assent::app
