#include "api/auth.h"

#include <cctype>

#include <openssl/crypto.h>

namespace assent::api {

// After a "Bearer " scheme, case-insensitive (RFC 7235).
std::string_view Authenticator::BearerToken(std::string_view header) {
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() < kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i]))) {
      return {};
    }
  }
  return header.substr(kScheme.size());
}

ApiError AuthResult::Error() const {
  if (retry_after.count() == 0) return ApiError::Unauthorized();
  return ApiError::TooManyRequests("too many failed authentications from this address; retry in " +
                                   std::to_string(retry_after.count()) + " s");
}

std::optional<std::chrono::seconds> AuthResult::RetryAfterHeader() const {
  if (retry_after.count() == 0) return std::nullopt;
  return retry_after;
}

Authenticator::Authenticator(std::string admin_token, const engine::Directory& directory,
                             AuthThrottle::Options throttle)
    : admin_token_(std::move(admin_token)), directory_(directory), throttle_(std::move(throttle)) {}

bool Authenticator::IsAdminToken(std::string_view token) const {
  // The length is not secret; only the bytes are compared in constant time.
  return !admin_token_.empty() && token.size() == admin_token_.size() &&
         CRYPTO_memcmp(token.data(), admin_token_.data(), token.size()) == 0;
}

AuthResult Authenticator::CheckToken(std::string_view token,
                                     const boost::asio::ip::address& client) const {
  AuthResult result;
  result.retry_after = throttle_.RetryAfter(client);
  if (result.retry_after.count() > 0) return result;
  result.principal = Recheck(token);
  if (!result.principal) throttle_.RecordFailure(client);
  return result;
}

std::optional<engine::Principal> Authenticator::Recheck(std::string_view token) const {
  if (IsAdminToken(token)) {
    return engine::Principal{std::string(kAdminIdentity), {}, /*admin=*/true};
  }
  return directory_.Authenticate(token);
}

AuthResult Authenticator::CheckAuthorization(std::string_view header,
                                             const boost::asio::ip::address& client) const {
  if (header.empty()) {
    // No credential offered, so nothing guessed: refused, but not counted as a failure.
    return {std::nullopt, throttle_.RetryAfter(client)};
  }
  return CheckToken(BearerToken(header), client);
}

}  // namespace assent::api
