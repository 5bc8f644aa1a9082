// Authenticator: checks the bearer token of HTTP requests and WebSocket auth messages and
// names the principal behind it, refusing addresses that failed too often (AuthThrottle) without
// comparing their token. A token is the bootstrap admin token (Principal{"admin", admin}) or
// one the directory issued (engine/directory.h: a user's or service account's). Built once by
// the server; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/address.hpp>

#include "api/auth_throttle.h"
#include "api/errors.h"
#include "engine/actor.h"
#include "engine/directory.h"

namespace assent::api {

struct AuthResult {
  std::optional<engine::Principal> principal;  // set when the token was accepted
  std::chrono::seconds retry_after{0};  // above zero: throttled, the token was not compared

  // 401, or 429 when throttled. REQUIRES: !principal
  ApiError Error() const;
  // The Retry-After an answer with Error() carries: set when throttled.
  std::optional<std::chrono::seconds> RetryAfterHeader() const;
};

class Authenticator {
 public:
  // The bootstrap admin token's principal id (no user may take it).
  static constexpr std::string_view kAdminIdentity = "admin";

  // `directory` must outlive the authenticator.
  Authenticator(std::string admin_token, const engine::Directory& directory,
                AuthThrottle::Options throttle = {});

  // The principal for `token` sent from `client`. Compares secrets in constant time.
  AuthResult CheckToken(std::string_view token, const boost::asio::ip::address& client) const;
  // The same for an Authorization header value of the form "Bearer <token>".
  AuthResult CheckAuthorization(std::string_view header,
                                const boost::asio::ip::address& client) const;
  // The principal `token` names now, for a connection that authenticated with it earlier and
  // stays open (a stream): nullopt once it is revoked or expired or its user removed. Not
  // throttled: the token was accepted once.
  std::optional<engine::Principal> Recheck(std::string_view token) const;
  // The token of an Authorization header "Bearer <token>" (empty when it has none).
  static std::string_view BearerToken(std::string_view header);

 private:
  bool IsAdminToken(std::string_view token) const;

  std::string admin_token_;
  const engine::Directory& directory_;
  mutable AuthThrottle throttle_;
};

}  // namespace assent::api
