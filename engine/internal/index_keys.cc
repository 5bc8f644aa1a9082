#include "engine/internal/index_keys.h"

#include <algorithm>
#include <limits>

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

void AppendBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>(value >> shift));
  }
}

uint64_t ReadBigEndian(std::string_view bytes) {
  uint64_t value = 0;
  for (char byte : bytes) value = (value << 8) | static_cast<uint8_t>(byte);
  return value;
}

// A time as 8 bytes that sort newest first: the sign bit flipped (so negative times order
// below positive ones as unsigned numbers), then every bit inverted.
uint64_t NewestFirst(int64_t at_ms) {
  return ~(static_cast<uint64_t>(at_ms) ^ (uint64_t{1} << 63));
}
int64_t FromNewestFirst(uint64_t stored) {
  return static_cast<int64_t>(~stored ^ (uint64_t{1} << 63));
}

constexpr size_t kTimeBytes = 8;
constexpr size_t kSeqBytes = 8;
constexpr size_t kNameLengthBytes = 4;

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

std::string TimerKey(int64_t due_at_ms, std::string_view timer_id) {
  std::string key;
  key.reserve(8 + timer_id.size());
  AppendBigEndian(key, static_cast<uint64_t>(std::max<int64_t>(due_at_ms, 0)), 8);
  key.append(timer_id);
  return key;
}

std::string WaitTimerId(std::string_view run_id, uint64_t visit_seq) {
  return std::string(run_id) + "." + std::to_string(visit_seq);
}

namespace {

constexpr std::string_view kReminderSuffix = "/remind";
constexpr std::string_view kRetrySuffix = "/retry";

// The id a timer id of the form <id> + `suffix` names; nullopt for any other timer id.
std::optional<std::string_view> WithoutSuffix(std::string_view timer_id,
                                              std::string_view suffix) {
  if (timer_id.size() <= suffix.size() || !timer_id.ends_with(suffix)) return std::nullopt;
  return timer_id.substr(0, timer_id.size() - suffix.size());
}

}  // namespace

std::string ReminderTimerId(std::string_view approval_id) {
  return std::string(approval_id) + std::string(kReminderSuffix);
}

std::optional<std::string_view> ApprovalOfReminder(std::string_view timer_id) {
  return WithoutSuffix(timer_id, kReminderSuffix);
}

std::string RetryTimerId(std::string_view run_id) {
  return std::string(run_id) + std::string(kRetrySuffix);
}

std::optional<std::string_view> RunOfRetry(std::string_view timer_id) {
  return WithoutSuffix(timer_id, kRetrySuffix);
}

std::optional<TimerKeyParts> DecodeTimerKey(std::string_view key) {
  constexpr size_t kTimeBytes = 8;
  if (key.size() <= kTimeBytes) return std::nullopt;
  uint64_t due = ReadBigEndian(key.substr(0, kTimeBytes));
  if (due > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return TimerKeyParts{static_cast<int64_t>(due), key.substr(kTimeBytes)};
}

std::string EncodeAuditPosition(const AuditPosition& position) {
  std::string bytes;
  bytes.reserve(kTimeBytes + position.run_id.size() + 1 + kSeqBytes);
  AppendBigEndian(bytes, NewestFirst(position.at_ms), kTimeBytes);
  bytes.append(position.run_id);
  bytes.push_back('\0');
  AppendBigEndian(bytes, ~position.seq, kSeqBytes);
  return bytes;
}

std::optional<AuditPosition> DecodeAuditPosition(std::string_view bytes) {
  if (bytes.size() < kTimeBytes + 2 + kSeqBytes) return std::nullopt;
  size_t separator = bytes.size() - kSeqBytes - 1;
  std::string_view run_id = bytes.substr(kTimeBytes, separator - kTimeBytes);
  if (bytes[separator] != '\0' || run_id.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  return AuditPosition{FromNewestFirst(ReadBigEndian(bytes.substr(0, kTimeBytes))),
                       std::string(run_id), ~ReadBigEndian(bytes.substr(separator + 1))};
}

std::string AuditPositionsAtOrBefore(int64_t at_ms) {
  std::string bytes;
  AppendBigEndian(bytes, NewestFirst(at_ms), kTimeBytes);
  return bytes;
}

std::string AuditPrefix(AuditScope scope, std::string_view name) {
  std::string prefix(1, static_cast<char>(scope));
  if (scope != AuditScope::kEverything) {
    AppendBigEndian(prefix, name.size(), kNameLengthBytes);
    prefix.append(name);
  }
  return prefix;
}

std::string AuditKey(AuditScope scope, std::string_view name, std::string_view position) {
  std::string key = AuditPrefix(scope, name);
  key.append(position);
  return key;
}

std::optional<AuditKeyParts> DecodeAuditKey(std::string_view key) {
  if (key.empty()) return std::nullopt;
  auto scope = static_cast<AuditScope>(static_cast<uint8_t>(key[0]));
  std::string_view rest = key.substr(1);
  std::string_view name;
  switch (scope) {
    case AuditScope::kEverything: break;
    case AuditScope::kWorkflow:
    case AuditScope::kActor: {
      if (rest.size() < kNameLengthBytes) return std::nullopt;
      uint64_t length = ReadBigEndian(rest.substr(0, kNameLengthBytes));
      rest.remove_prefix(kNameLengthBytes);
      if (length > rest.size()) return std::nullopt;
      name = rest.substr(0, length);
      rest.remove_prefix(length);
      break;
    }
    default: return std::nullopt;
  }
  if (!DecodeAuditPosition(rest)) return std::nullopt;
  return AuditKeyParts{scope, name, rest};
}

}  // namespace assent::engine
