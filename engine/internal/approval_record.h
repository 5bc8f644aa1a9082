// The value stored under an approvals-by-status index entry: the approval as reviewers see it.
// Lists and the reviewers' snapshot read these instead of folding every run, so a million
// waiting runs need neither memory nor replay to be listed.
#pragma once

#include <string>
#include <string_view>

#include "engine/views.h"
#include "base/status.h"

namespace assent::engine {

std::string EncodeApprovalRecord(const ApprovalView& approval);
// kCorruption when `record` is not one EncodeApprovalRecord wrote.
Result<ApprovalView> DecodeApprovalRecord(std::string_view record);

}  // namespace assent::engine
