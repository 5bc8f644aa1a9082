#include "api/cli/client.h"

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace assent::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

namespace {

constexpr size_t kMaxResponseBytes = 64u << 20;

std::string FromEnv(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

std::string TokenFromFile(const std::string& path) {
  std::ifstream file(path);
  std::string token;
  file >> token;
  return token;
}

// The reverse of the server's error mapping, so callers can tell "not found" from the rest.
Status StatusForHttp(unsigned status, std::string message) {
  switch (status) {
    case 404:
      return Status::NotFound(std::move(message));
    case 409:
      return Status::Conflict(std::move(message));
    case 503:
      return Status::Unavailable(std::move(message));
    default:
      return status < 500 ? Status::InvalidArgument(std::move(message))
                          : Status::IOError(std::move(message));
  }
}

// --timeout-ms: 1 ms to 1 hour.
Result<std::chrono::milliseconds> ParseTimeout(const std::string& text) {
  int64_t ms = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (ec != std::errc() || end != text.data() + text.size() || ms < 1 || ms > 3'600'000) {
    return Status::InvalidArgument("--timeout-ms must be an integer from 1 to 3600000, got \"" +
                                   text + "\"");
  }
  return std::chrono::milliseconds(ms);
}

}  // namespace

Result<ClientConfig> ResolveClientConfig(const ParsedArgs& args) {
  ClientConfig config;
  config.server = args.Get("server").value_or(FromEnv("ASSENT_URL"));
  if (config.server.empty()) config.server = "http://127.0.0.1:8080";
  boost::urls::result<boost::urls::url_view> url = boost::urls::parse_uri(config.server);
  if (!url || url->scheme() != "http" || url->host().empty()) {
    return Status::InvalidArgument("--server must be an http:// URL, got \"" + config.server +
                                   "\"");
  }
  config.host = url->host();
  config.port = url->has_port() ? std::string(url->port()) : "80";
  config.base_path = url->path();
  while (!config.base_path.empty() && config.base_path.back() == '/') config.base_path.pop_back();
  if (std::optional<std::string> text = args.Get("timeout-ms")) {
    Result<std::chrono::milliseconds> timeout = ParseTimeout(*text);
    if (!timeout.ok()) return timeout.status();
    config.timeout = *timeout;
  }

  for (std::string candidate : {args.Get("token").value_or(""), FromEnv("ASSENT_TOKEN"),
                                FromEnv("ASSENT_ADMIN_TOKEN"),
                                TokenFromFile("assent-data/admin-token")}) {
    if (!candidate.empty()) {
      config.token = std::move(candidate);
      break;
    }
  }
  return config;
}

ApiClient::ApiClient(ClientConfig config) : config_(std::move(config)) {}

Result<ApiResponse> ApiClient::Call(http::verb method, const std::string& target,
                                    const json::value* body,
                                    const std::vector<std::pair<std::string, std::string>>& headers) {
  http::request<http::string_body> request(method, config_.base_path + target, 11);
  request.set(http::field::host, config_.host + ":" + config_.port);
  request.set(http::field::user_agent, "assent-cli");
  if (!config_.token.empty()) request.set(http::field::authorization, "Bearer " + config_.token);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (body != nullptr) {
    request.set(http::field::content_type, "application/json");
    request.body() = json::serialize(*body);
  }
  request.prepare_payload();

  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  beast::error_code ec;
  asio::ip::tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(config_.host, config_.port, ec);
  stream.expires_after(config_.timeout);  // one deadline for connect, write and read together
  if (!ec) {
    ec = RunToCompletion(ioc, [&](auto done) { stream.async_connect(endpoints, done); });
  }
  if (!ec) ec = RunToCompletion(ioc, [&](auto done) { http::async_write(stream, request, done); });
  beast::flat_buffer buffer;
  if (!ec) {
    ec = RunToCompletion(ioc,
                         [&](auto done) { http::async_read(stream, buffer, parser, done); });
  }
  if (ec) return Status::Unavailable(DescribeNetworkError(config_, ec));
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);

  ApiResponse response;
  response.status = parser.get().result_int();
  response.body = json::parse(parser.get().body(), ec);
  if (ec) response.body = parser.get().body();  // not JSON: keep the text for the message
  if (response.status >= 200 && response.status < 300) return response;

  std::string code = "http_" + std::to_string(response.status);
  std::string message = parser.get().body();
  if (const json::object* object = response.body.if_object()) {
    if (const json::value* error = object->if_contains("error"); error && error->is_object()) {
      const json::object& details = error->get_object();
      if (const json::value* v = details.if_contains("code"); v && v->is_string()) {
        code = v->get_string();
      }
      if (const json::value* v = details.if_contains("message"); v && v->is_string()) {
        message = v->get_string();
      }
    }
  }
  return StatusForHttp(response.status,
                       "server error " + std::to_string(response.status) + " " + code + ": " +
                           message);
}

std::string DescribeNetworkError(const ClientConfig& config, const boost::system::error_code& ec) {
  if (ec == beast::error::timeout) {
    return "no answer from the server at " + config.server + " within " +
           std::to_string(config.timeout.count()) + " ms (see --timeout-ms)";
  }
  return "cannot reach the server at " + config.server + ": " + ec.message();
}

std::string Encode(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

}  // namespace assent::cli
