// Authenticator: checks the admin bearer token on HTTP requests and WebSocket auth messages and
// names the identity behind it. Built once by the server; const and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace assent::api {

class Authenticator {
 public:
  // In this slice the admin token is the only credential and its identity is "admin".
  static constexpr std::string_view kAdminIdentity = "admin";

  explicit Authenticator(std::string admin_token);

  // The identity for a token, or nullopt. Compares in constant time.
  std::optional<std::string> CheckToken(std::string_view token) const;
  // The same for an Authorization header value of the form "Bearer <token>".
  std::optional<std::string> CheckAuthorization(std::string_view header) const;

 private:
  std::string admin_token_;
};

}  // namespace assent::api
