// The value stored under an approvals-by-status index entry: the approval as reviewers see it,
// a FlatBuffers ApprovalRecord (schemas/state.fbs). Lists and the reviewers' snapshot read these
// instead of folding every run, so a million waiting runs need neither memory nor replay to be
// listed. Run snapshots embed the same table for each of the run's approvals.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include <flatbuffers/flatbuffers.h>

#include "base/status.h"
#include "engine/views.h"

namespace assent::fb {
struct ApprovalRecord;
}

namespace assent::engine {

std::string EncodeApprovalRecord(const ApprovalView& approval);
// kCorruption when `record` is not an approval record (it fails verification, or a field is
// out of range or not JSON where JSON belongs).
Result<ApprovalView> DecodeApprovalRecord(std::string_view record);

// The table inside a larger buffer (a run snapshot), and back.
flatbuffers::Offset<fb::ApprovalRecord> PackApprovalRecord(flatbuffers::FlatBufferBuilder& builder,
                                                           const ApprovalView& approval);
Result<ApprovalView> UnpackApprovalRecord(const fb::ApprovalRecord& record);

}  // namespace assent::engine
