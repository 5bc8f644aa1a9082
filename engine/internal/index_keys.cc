#include "engine/internal/index_keys.h"

namespace assent::engine {
namespace {

template <typename StatusEnum>
std::string EncodeStatusKey(StatusEnum status, std::string_view id) {
  std::string key(1, static_cast<char>(status));
  key.append(id);
  return key;
}

// A status byte naming one of the enum's values (ToString knows every one), then an id.
template <typename StatusEnum>
std::optional<StatusKey<StatusEnum>> DecodeStatusKey(std::string_view key) {
  if (key.size() < 2) return std::nullopt;
  auto status = static_cast<StatusEnum>(static_cast<uint8_t>(key[0]));
  if (ToString(status) == "unknown") return std::nullopt;
  return StatusKey<StatusEnum>{status, key.substr(1)};
}

}  // namespace

std::string RunsByStatusKey(RunStatus status, std::string_view run_id) {
  return EncodeStatusKey(status, run_id);
}

std::string RunsByStatusPrefix(RunStatus status) { return EncodeStatusKey(status, ""); }

std::optional<StatusKey<RunStatus>> DecodeRunsByStatusKey(std::string_view key) {
  return DecodeStatusKey<RunStatus>(key);
}

std::string ApprovalsByStatusKey(ApprovalStatus status, std::string_view approval_id) {
  return EncodeStatusKey(status, approval_id);
}

std::string ApprovalsByStatusPrefix(ApprovalStatus status) { return EncodeStatusKey(status, ""); }

std::optional<StatusKey<ApprovalStatus>> DecodeApprovalsByStatusKey(std::string_view key) {
  return DecodeStatusKey<ApprovalStatus>(key);
}

std::string StartKey(std::string_view workflow, std::string_view idempotency_key) {
  std::string key(workflow);
  key.push_back('\0');
  key.append(idempotency_key);
  return key;
}

std::optional<StartKeyParts> DecodeStartKey(std::string_view key) {
  size_t separator = key.find('\0');
  if (separator == std::string_view::npos || separator == 0) return std::nullopt;
  return StartKeyParts{key.substr(0, separator), key.substr(separator + 1)};
}

std::string ApprovalCommentsPrefix(std::string_view approval_id) {
  std::string prefix(approval_id);
  prefix.push_back('\0');
  return prefix;
}

std::string ApprovalCommentKey(std::string_view approval_id, uint32_t ordinal) {
  std::string key = ApprovalCommentsPrefix(approval_id);
  for (int shift = 24; shift >= 0; shift -= 8) key.push_back(static_cast<char>(ordinal >> shift));
  return key;
}

std::optional<ApprovalCommentKeyParts> DecodeApprovalCommentKey(std::string_view key) {
  constexpr size_t kOrdinalBytes = 4;
  if (key.size() < kOrdinalBytes + 2 || key[key.size() - kOrdinalBytes - 1] != '\0') {
    return std::nullopt;
  }
  std::string_view approval_id = key.substr(0, key.size() - kOrdinalBytes - 1);
  if (approval_id.find('\0') != std::string_view::npos) return std::nullopt;
  uint32_t ordinal = 0;
  for (char byte : key.substr(key.size() - kOrdinalBytes)) {
    ordinal = (ordinal << 8) | static_cast<uint8_t>(byte);
  }
  return ApprovalCommentKeyParts{approval_id, ordinal};
}

}  // namespace assent::engine
