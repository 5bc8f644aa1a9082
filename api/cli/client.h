// ApiClient: the CLI's synchronous HTTP client for a running `assent serve`. One request per
// call over a fresh connection; answers are the server's JSON. Not thread-safe (one per command).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>

#include "api/cli/flags.h"
#include "storage/status.h"

namespace assent::api::cli {

// Where the server is and how to authenticate, from the flags or their environment defaults.
struct ClientConfig {
  std::string host;
  std::string port;
  std::string base_path;  // the URL's path without a trailing '/', usually ""
  std::string token;
  std::string server;  // the URL as given, for messages
};

// --server (else $ASSENT_URL, else http://127.0.0.1:8080) and --token (else $ASSENT_TOKEN, else
// $ASSENT_ADMIN_TOKEN, else ./assent-data/admin-token). Only http:// URLs are supported.
Result<ClientConfig> ResolveClientConfig(const ParsedArgs& args);

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

}  // namespace assent::api::cli
