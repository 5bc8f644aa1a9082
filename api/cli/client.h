// ApiClient: the CLI's synchronous HTTP client for a running `assent serve`. One request per
// call over a fresh connection; answers are the server's JSON. Every network step is bounded by
// the configured timeout, so a stuck server is an error rather than a hang. Not thread-safe
// (one per command).
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>

#include "api/cli/flags.h"
#include "base/status.h"

namespace assent::cli {

// Where the server is and how to authenticate, from the flags or their environment defaults.
struct ClientConfig {
  std::string host;
  std::string port;
  std::string base_path;  // the URL's path without a trailing '/', usually ""
  std::string token;
  std::string server;  // the URL as given, for messages
  // Bounds connecting plus one request and its response (for `watch`: connecting and the
  // WebSocket handshake).
  std::chrono::milliseconds timeout = std::chrono::seconds(30);
};

// --server (else $ASSENT_URL, else http://127.0.0.1:8080), --token (else $ASSENT_TOKEN, else
// $ASSENT_ADMIN_TOKEN, else ./assent-data/admin-token) and --timeout-ms (else 30000). Only
// http:// URLs are supported.
Result<ClientConfig> ResolveClientConfig(const ParsedArgs& args);

// Starts one asynchronous operation with `start(handler)` and runs `ioc` until it completes;
// returns its error. Bounded by the stream's expiry (beast::tcp_stream::expires_after), which
// Beast honours only for asynchronous operations.
template <typename Start>
boost::system::error_code RunToCompletion(boost::asio::io_context& ioc, Start start) {
  boost::system::error_code result;
  start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

// "cannot reach the server at URL: why", or, when the timeout expired, that it did not answer.
std::string DescribeNetworkError(const ClientConfig& config, const boost::system::error_code& ec);

struct ApiResponse {
  unsigned status = 0;
  boost::json::value body;
};

class ApiClient {
 public:
  explicit ApiClient(ClientConfig config);

  // Sends `method target` with `body` (none if null). A 2xx answer is returned; an error answer
  // becomes a Status whose message carries the server's code and message; an unreachable
  // server is kUnavailable.
  Result<ApiResponse> Call(boost::beast::http::verb method, const std::string& target,
                           const boost::json::value* body = nullptr,
                           const std::vector<std::pair<std::string, std::string>>& headers = {});

  const ClientConfig& config() const { return config_; }

 private:
  ClientConfig config_;
};

// Percent-encodes everything but unreserved characters: safe in a path segment or a query.
std::string Encode(std::string_view text);

}  // namespace assent::cli
