#include "engine/internal/webhook_signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace assent::engine {

std::string WebhookHmac(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  return HmacSha256Hex(secret, std::to_string(unix_seconds) + "." + std::string(body));
}

std::string HmacSha256Hex(std::string_view secret, std::string_view signed_text) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), mac,
       &mac_size);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * mac_size);
  for (unsigned int i = 0; i < mac_size; ++i) {
    hex.push_back(kHex[mac[i] >> 4]);
    hex.push_back(kHex[mac[i] & 0x0F]);
  }
  return hex;
}

std::string WebhookSignature(std::string_view secret, int64_t unix_seconds,
                             std::string_view body) {
  return "t=" + std::to_string(unix_seconds) + ",v1=" + WebhookHmac(secret, unix_seconds, body);
}

}  // namespace assent::engine
