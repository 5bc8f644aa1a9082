// OriginPolicy: which web pages may open a WebSocket on /v1/stream. A browser authenticates a
// stream with its first message, so any page the user visits could otherwise open one with a
// token it holds; the Origin header names the page's site and browsers do not let pages forge
// it. A request without Origin comes from a program, not a page, and is allowed: it must hold
// a token anyway.
//
// Allowed: the origins configured (`assent serve --allowed-origin https://x.example`,
// repeatable), and the server's own origin, the one the request's Host header names (with
// either scheme: TLS may end in front of the server). Origins compare as scheme://host[:port],
// case-insensitively, with default ports dropped. Immutable once built; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace assent::api {

class OriginPolicy {
 public:
  // kInvalidArgument naming the origin when one is not scheme://host[:port].
  static Result<OriginPolicy> Make(const std::vector<std::string>& allowed);
  OriginPolicy() = default;

  // `origin`: the request's Origin header, empty when absent. `host`: its Host header.
  bool Allows(std::string_view origin, std::string_view host) const;

 private:
  // "scheme://host[:port]" in lower case without a default port; nullopt when not an origin.
  static std::optional<std::string> Normalize(std::string_view origin);

  std::vector<std::string> allowed_;  // normalized
};

}  // namespace assent::api
