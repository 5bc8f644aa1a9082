#include "api/origin_policy.h"

#include <algorithm>

#include <boost/url/parse.hpp>

#include "base/ascii.h"

namespace assent::api {

Result<OriginPolicy> OriginPolicy::Make(const std::vector<std::string>& allowed) {
  OriginPolicy policy;
  for (const std::string& origin : allowed) {
    std::optional<std::string> normalized = Normalize(origin);
    if (!normalized) {
      return Status::InvalidArgument("allowed origin '" + origin +
                                     "' must be scheme://host[:port], like https://x.example");
    }
    policy.allowed_.push_back(std::move(*normalized));
  }
  return policy;
}

std::optional<std::string> OriginPolicy::Normalize(std::string_view origin) {
  auto url = boost::urls::parse_absolute_uri(origin);
  if (!url || !url->has_authority() || url->host().empty() || url->has_userinfo() ||
      !(url->path().empty() || url->path() == "/") || url->has_query() || url->has_fragment()) {
    return std::nullopt;
  }
  std::string scheme = AsciiLower(url->scheme());
  if (scheme != "http" && scheme != "https") return std::nullopt;
  std::string normalized = scheme + "://" + AsciiLower(url->encoded_host());
  std::string_view port = url->port();
  bool default_port = (scheme == "http" && port == "80") || (scheme == "https" && port == "443");
  if (!port.empty() && !default_port) normalized += ":" + std::string(port);
  return normalized;
}

bool OriginPolicy::Allows(std::string_view origin, std::string_view host) const {
  if (origin.empty()) return true;  // not a browser page
  std::optional<std::string> normalized = Normalize(origin);
  if (!normalized) return false;  // "null" (a sandboxed page, a file) or garbage
  if (std::find(allowed_.begin(), allowed_.end(), *normalized) != allowed_.end()) return true;
  if (host.empty()) return false;
  for (std::string_view scheme : {"http://", "https://"}) {
    std::optional<std::string> own = Normalize(std::string(scheme) + std::string(host));
    if (own && *own == *normalized) return true;
  }
  return false;
}

}  // namespace assent::api
