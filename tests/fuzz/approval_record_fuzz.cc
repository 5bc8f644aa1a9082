// Approval records (engine/internal/approval_record.h), the values of the approvals index, and
// comment records, the values of the approval-comments index, from arbitrary bytes: a record
// that decodes round-trips (round_trip.h). The first byte says which: 'C' a comment record,
// anything else an approval record (the whole input, so older seeds keep their meaning).
// Comments an approval record counts come from a KeptComments source: made up on the first
// decode, then served as the index would.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/internal/approval_record.h"
#include "tests/engine/kept_comments.h"
#include "tests/fuzz/round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace assent::engine;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (bytes.starts_with('C')) {
    CheckRoundTrip(bytes.substr(1), DecodeCommentRecord, EncodeCommentRecord);
    return 0;
  }
  KeptComments kept;
  CheckRoundTrip(
      bytes,
      [&](std::string_view record) {
        auto approval = DecodeApprovalRecord(record, kept.Source());
        if (approval.ok()) kept.Keep(*approval);
        return approval;
      },
      EncodeApprovalRecord);
  return 0;
}
