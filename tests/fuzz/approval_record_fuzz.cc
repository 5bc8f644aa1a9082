// Approval records (engine/internal/approval_record.h), the values of the approvals index,
// from arbitrary bytes: a record that decodes round-trips (round_trip.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/internal/approval_record.h"
#include "tests/fuzz/round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckRoundTrip(std::string_view(reinterpret_cast<const char*>(data), size),
                 assent::engine::DecodeApprovalRecord, assent::engine::EncodeApprovalRecord);
  return 0;
}
