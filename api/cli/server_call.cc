#include "api/cli/server_call.h"

#include <iostream>

#include <boost/json/serialize.hpp>

namespace assent::cli {

namespace http = boost::beast::http;
namespace json = boost::json;

std::optional<ApiResponse> CallServer(
    const ParsedArgs& args, http::verb method, const std::string& target,
    const json::value* body, const std::vector<std::pair<std::string, std::string>>& headers,
    std::chrono::milliseconds server_wait) {
  Result<ClientConfig> config = ResolveClientConfig(args);
  if (!config.ok()) {
    std::cerr << "assent: " << config.status().message() << "\n";
    return std::nullopt;
  }
  config->timeout += server_wait;
  Result<ApiResponse> response = ApiClient(std::move(config).value()).Call(method, target, body,
                                                                          headers);
  if (!response.ok()) {
    std::cerr << "assent: " << response.status().message() << "\n";
    return std::nullopt;
  }
  return std::move(response).value();
}

int Print(const ParsedArgs& args, const json::value& body,
          const std::function<std::string(const json::object&)>& human) {
  if (args.Has("json") || !body.is_object()) {
    std::cout << json::serialize(body) << "\n";
  } else {
    std::cout << human(body.get_object());
  }
  return 0;
}

const json::array& ListField(const json::object& body, std::string_view key) {
  static const json::array kEmpty;
  const json::value* value = body.if_contains(key);
  return value != nullptr && value->is_array() ? value->get_array() : kEmpty;
}

}  // namespace assent::cli
