// The keys Assent stores, from arbitrary bytes: the engine's index keys
// (engine/internal/index_keys.h) and storage's events and definitions keys
// (storage/internal/keys.h). The first byte says which kind of key the rest is: 1-3 as in
// storage::Index (runs by status, approvals by status, start keys; the framing of
// tests/golden/v1/indexes.bin), 5 an events key, 6 a definitions key, 7 an approval-comments
// key, 8 an audit key, 9 an timer key.
// Property: a key that decodes is the encoding of what it decodes to, byte for byte.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/internal/index_keys.h"
#include "storage/internal/keys.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace assent;

constexpr uint8_t kEventsKey = 5;
constexpr uint8_t kDefinitionsKey = 6;
constexpr uint8_t kApprovalCommentKey = 7;
constexpr uint8_t kAuditKey = 8;
constexpr uint8_t kTimerKey = 9;

// Storage's keys of a name, '\0' and a big-endian number: one that decodes is the encoding of
// its parts.
template <typename Int, typename Decode, typename Encode>
void CheckNameAndNumberKey(std::string_view key, Decode decode, Encode encode) {
  std::string_view name;
  Int number = 0;
  if (!decode(key, &name, &number)) return;
  FUZZ_CHECK(encode(name, number) == key);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view key(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0]) {
    case static_cast<uint8_t>(storage::Index::kRunsByStatus):
      if (auto decoded = engine::DecodeRunsByStatusKey(key)) {
        FUZZ_CHECK(engine::RunsByStatusKey(decoded->status, decoded->id) == key);
      }
      break;
    case static_cast<uint8_t>(storage::Index::kApprovalsByStatus):
      if (auto decoded = engine::DecodeApprovalsByStatusKey(key)) {
        FUZZ_CHECK(engine::ApprovalsByStatusKey(decoded->status, decoded->id) == key);
      }
      break;
    case static_cast<uint8_t>(storage::Index::kStartKeys):
      if (auto decoded = engine::DecodeStartKey(key)) {
        FUZZ_CHECK(engine::StartKey(decoded->workflow, decoded->idempotency_key) == key);
      }
      break;
    case kEventsKey:
      CheckNameAndNumberKey<uint64_t>(key, storage::internal::DecodeEventKey,
                                      storage::internal::EventKey);
      break;
    case kDefinitionsKey:
      CheckNameAndNumberKey<uint32_t>(key, storage::internal::DecodeDefinitionKey,
                                      storage::internal::DefinitionKey);
      break;
    case kApprovalCommentKey:
      if (auto decoded = engine::DecodeApprovalCommentKey(key)) {
        FUZZ_CHECK(engine::ApprovalCommentKey(decoded->approval_id, decoded->ordinal) == key);
      }
      break;
    case kAuditKey:
      if (auto decoded = engine::DecodeAuditKey(key)) {
        FUZZ_CHECK(engine::AuditKey(decoded->scope, decoded->name, decoded->position) == key);
        auto position = engine::DecodeAuditPosition(decoded->position);
        FUZZ_CHECK(position && engine::EncodeAuditPosition(*position) == decoded->position);
      }
      break;
    case kTimerKey:
      if (auto decoded = engine::DecodeTimerKey(key)) {
        FUZZ_CHECK(engine::TimerKey(decoded->due_at_ms, decoded->timer_id) == key);
      }
      break;
    default:
      break;
  }
  return 0;
}
