#include "tests/support/webhook_signature_check.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>

namespace assent::testing {

std::string HmacSha256Hex(const std::string& secret, const std::string& text) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &size);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < size; ++i) {
    std::snprintf(byte, sizeof(byte), "%02x", mac[i]);
    hex += byte;
  }
  return hex;
}

bool WebhookSignatureValid(const ReceivedRequest& request, const std::string& secret) {
  auto header = request.headers.find("assent-signature");
  if (header == request.headers.end()) return false;
  const std::string& value = header->second;
  size_t comma = value.find(",v1=");
  if (value.rfind("t=", 0) != 0 || comma == std::string::npos) return false;
  std::string hex = HmacSha256Hex(secret, value.substr(2, comma - 2) + "." + request.body);
  std::string given = value.substr(comma + 4);
  return given.size() == hex.size() && CRYPTO_memcmp(given.data(), hex.data(), hex.size()) == 0;
}

}  // namespace assent::testing
