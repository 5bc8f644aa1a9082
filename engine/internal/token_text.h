// The text of a token, as its holder sends it: "ast_<token id>_<secret>", where the token id is
// 16 lowercase hex digits (64 random bits; public, it names the token in lists and revocation)
// and the secret 64 lowercase hex digits (256 random bits). The directory finds a token by its
// id and compares the SHA-256 of the secret with the stored one in constant time: the secret
// itself is never stored. Pure; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace assent::engine {

inline constexpr std::string_view kTokenPrefix = "ast_";
inline constexpr size_t kTokenIdBytes = 8;       // random bytes; twice as many hex digits
inline constexpr size_t kTokenSecretBytes = 32;  // 256 bits

using SecretHash = std::array<uint8_t, 32>;  // SHA-256

struct TokenText {
  std::string_view token_id;
  std::string_view secret;
};

// The parts of `text`, or nullopt when it is not exactly of the token's form.
std::optional<TokenText> ParseTokenText(std::string_view text);
std::string FormatTokenText(std::string_view token_id, std::string_view secret);

// Lowercase hex of `bytes`.
std::string Hex(const uint8_t* bytes, size_t size);

// nullopt when OpenSSL cannot hash (no SHA-256 provider, no memory).
std::optional<SecretHash> HashSecret(std::string_view secret);
// Whether `secret` hashes to `stored`, compared in constant time.
bool SecretMatches(std::string_view secret, const SecretHash& stored);

}  // namespace assent::engine
