#include "storage/internal/keys.h"

namespace assent::storage::internal {
namespace {

template <typename Int>
void AppendBigEndian(Int value, std::string* out) {
  for (int shift = 8 * (sizeof(Int) - 1); shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

// Splits `key` into name + '\0' + sizeof(Int) big-endian bytes.
template <typename Int>
bool DecodeNameAndNumber(std::string_view key, std::string_view* name, Int* number) {
  size_t separator = key.find('\0');
  if (separator == std::string_view::npos || key.size() - separator - 1 != sizeof(Int)) {
    return false;
  }
  *name = key.substr(0, separator);
  Int value = 0;
  for (char byte : key.substr(separator + 1)) {
    value = static_cast<Int>((value << 8) | static_cast<uint8_t>(byte));
  }
  *number = value;
  return true;
}

template <typename Int>
std::string EncodeNameAndNumber(std::string_view name, Int number) {
  std::string key;
  key.reserve(name.size() + 1 + sizeof(Int));
  key.append(name);
  key.push_back('\0');
  AppendBigEndian(number, &key);
  return key;
}

}  // namespace

size_t IndexSlot(Index index) {
  size_t slot = 0;
  while (slot < kAllIndexes.size() && kAllIndexes[slot] != index) ++slot;
  return slot;
}

std::string_view IndexName(Index index) {
  switch (index) {
    case Index::kRunsByStatus: return "idx_runs_by_status";
    case Index::kApprovalsByStatus: return "idx_approvals_by_status";
    case Index::kStartKeys: return "idx_start_keys";
    case Index::kRunSnapshots: return "idx_run_snapshots";
    case Index::kApprovalComments: return "idx_approval_comments";
    case Index::kNotifyOutbox: return "idx_notify_outbox";
    case Index::kAudit: return "idx_audit";
    case Index::kTimers: return "idx_timers";
    case Index::kSchedules: return "idx_schedules";
  }
  return {};
}

std::string EventKeyPrefix(std::string_view run_id) {
  std::string prefix(run_id);
  prefix.push_back('\0');
  return prefix;
}

std::string EventKey(std::string_view run_id, uint64_t seq) {
  return EncodeNameAndNumber(run_id, seq);
}

bool DecodeEventKey(std::string_view key, std::string_view* run_id, uint64_t* seq) {
  return DecodeNameAndNumber(key, run_id, seq);
}

std::string DefinitionKey(std::string_view name, uint32_t version) {
  return EncodeNameAndNumber(name, version);
}

bool DecodeDefinitionKey(std::string_view key, std::string_view* name, uint32_t* version) {
  return DecodeNameAndNumber(key, name, version);
}

std::string EncodePosition(uint64_t position) {
  std::string value;
  AppendBigEndian(position, &value);
  return value;
}

bool DecodePosition(std::string_view value, uint64_t* position) {
  if (value.size() != sizeof(uint64_t)) return false;
  uint64_t decoded = 0;
  for (char byte : value) decoded = (decoded << 8) | static_cast<uint8_t>(byte);
  *position = decoded;
  return true;
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<uint8_t>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<uint8_t>(end.back()) + 1);
  return end;
}

}  // namespace assent::storage::internal
