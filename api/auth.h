// Authenticator: checks the admin bearer token on HTTP requests and WebSocket auth messages and
// names the identity behind it, refusing addresses that failed too often (AuthThrottle) without
// comparing their token. Built once by the server; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/address.hpp>

#include "api/auth_throttle.h"
#include "api/errors.h"

namespace assent::api {

struct AuthResult {
  std::optional<std::string> identity;  // set when the token was accepted
  std::chrono::seconds retry_after{0};  // above zero: throttled, the token was not compared

  // 401, or 429 when throttled. REQUIRES: !identity
  ApiError Error() const;
  // The Retry-After an answer with Error() carries: set when throttled.
  std::optional<std::chrono::seconds> RetryAfterHeader() const;
};

class Authenticator {
 public:
  // In this slice the admin token is the only credential and its identity is "admin".
  static constexpr std::string_view kAdminIdentity = "admin";

  explicit Authenticator(std::string admin_token, AuthThrottle::Options throttle = {});

  // The identity for `token` sent from `client`. Compares in constant time.
  AuthResult CheckToken(std::string_view token, const boost::asio::ip::address& client) const;
  // The same for an Authorization header value of the form "Bearer <token>".
  AuthResult CheckAuthorization(std::string_view header,
                                const boost::asio::ip::address& client) const;

 private:
  bool Matches(std::string_view token) const;

  std::string admin_token_;
  mutable AuthThrottle throttle_;
};

}  // namespace assent::api
