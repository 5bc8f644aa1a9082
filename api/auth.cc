#include "api/auth.h"

#include <cctype>

#include <openssl/crypto.h>

namespace assent::api {

Authenticator::Authenticator(std::string admin_token) : admin_token_(std::move(admin_token)) {}

std::optional<std::string> Authenticator::CheckToken(std::string_view token) const {
  // The length is not secret; only the bytes are compared in constant time.
  if (admin_token_.empty() || token.size() != admin_token_.size() ||
      CRYPTO_memcmp(token.data(), admin_token_.data(), token.size()) != 0) {
    return std::nullopt;
  }
  return std::string(kAdminIdentity);
}

std::optional<std::string> Authenticator::CheckAuthorization(std::string_view header) const {
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() < kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {  // the scheme is case-insensitive (RFC 7235)
    if (std::tolower(static_cast<unsigned char>(header[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i]))) {
      return std::nullopt;
    }
  }
  return CheckToken(header.substr(kScheme.size()));
}

}  // namespace assent::api
