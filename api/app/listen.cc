#include "api/app/listen.h"

#include <charconv>
#include <iostream>

namespace assent::app {

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument("--listen must be HOST:PORT, got \"" + std::string(text) +
                                   "\"");
  }
  ListenAddress address;
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  address.host = std::string(host);
  std::string_view port = text.substr(colon + 1);
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), address.port);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size()) {
    return Status::InvalidArgument("--listen port must be 0 to 65535, got \"" +
                                   std::string(port) + "\"");
  }
  return address;
}

std::string AnnounceListening(const boost::asio::ip::tcp::endpoint& endpoint) {
  std::string host = endpoint.address().to_string();
  if (endpoint.address().is_v6()) host = "[" + host + "]";
  std::string url = "http://" + host + ":" + std::to_string(endpoint.port());
  std::cout << "assent: listening on " << url << std::endl;
  return url;
}

}  // namespace assent::app
