#include "engine/internal/token_text.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace assent::engine {
namespace {

bool IsLowerHex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// SHA-256, looked up once: OpenSSL 3's SHA256() looks the algorithm up by name on every call,
// which costs as much as hashing a token. Null when OpenSSL has none (then nothing hashes).
const EVP_MD* Sha256() {
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return sha256;
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

std::optional<SecretHash> HashSecret(std::string_view secret) {
  SecretHash hash;
  unsigned int size = 0;
  if (Sha256() == nullptr ||
      EVP_Digest(secret.data(), secret.size(), hash.data(), &size, Sha256(), nullptr) != 1 ||
      size != hash.size()) {
    return std::nullopt;
  }
  return hash;
}

bool SecretMatches(std::string_view secret, const SecretHash& stored) {
  std::optional<SecretHash> hash = HashSecret(secret);
  return hash && CRYPTO_memcmp(hash->data(), stored.data(), hash->size()) == 0;
}

}  // namespace assent::engine
