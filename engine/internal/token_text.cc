#include "engine/internal/token_text.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace assent::engine {
namespace {

bool IsLowerHex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::optional<TokenText> ParseTokenText(std::string_view text) {
  constexpr size_t kIdDigits = 2 * kTokenIdBytes;
  constexpr size_t kSecretDigits = 2 * kTokenSecretBytes;
  if (text.size() != kTokenPrefix.size() + kIdDigits + 1 + kSecretDigits ||
      !text.starts_with(kTokenPrefix) || text[kTokenPrefix.size() + kIdDigits] != '_') {
    return std::nullopt;
  }
  TokenText parts{text.substr(kTokenPrefix.size(), kIdDigits),
                  text.substr(kTokenPrefix.size() + kIdDigits + 1)};
  if (!IsLowerHex(parts.token_id) || !IsLowerHex(parts.secret)) return std::nullopt;
  return parts;
}

std::string FormatTokenText(std::string_view token_id, std::string_view secret) {
  return std::string(kTokenPrefix) + std::string(token_id) + "_" + std::string(secret);
}

std::string Hex(const uint8_t* bytes, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * size);
  for (size_t i = 0; i < size; ++i) {
    hex.push_back(kDigits[bytes[i] >> 4]);
    hex.push_back(kDigits[bytes[i] & 0xf]);
  }
  return hex;
}

SecretHash HashSecret(std::string_view secret) {
  SecretHash hash;
  SHA256(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), hash.data());
  return hash;
}

bool SecretMatches(std::string_view secret, const SecretHash& stored) {
  SecretHash hash = HashSecret(secret);
  return CRYPTO_memcmp(hash.data(), stored.data(), hash.size()) == 0;
}

}  // namespace assent::engine
