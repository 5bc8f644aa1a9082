// The bytes the engine keeps about an approval beside the log, FlatBuffers tables of
// schemas/state.fbs:
//   - its record (ApprovalRecord, "AAPR"): the value of its approvals-by-status index entry, and
//     embedded in each run snapshot. Lists and the reviewers' snapshot read these instead of
//     folding every run, so a million waiting runs need neither memory nor replay to be listed.
//   - each of its comments (CommentRecord, "ACMT"): one approval-comments index entry per
//     comment. The record only counts them and is not rewritten for a comment after the first,
//     so adding a comment writes that comment, never the ones before it nor the approval
//     (records written before this layout hold their comments inline; they still read).
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <flatbuffers/flatbuffers.h>

#include "base/status.h"
#include "engine/views.h"

namespace assent::fb {
struct ApprovalRecord;
}

namespace assent::engine {

// Which of an approval's comments a reader wants from a CommentSource.
struct CommentsWanted {
  size_t count;  // the first `count` comments (a snapshot's)...
  bool later_too;  // ...and every one added since (an approvals-by-status record's)
};

// Where the comments a record counts but does not hold come from (comment_store.h reads them
// from the log). Given the approval as decoded so far (id, run id; comments held inline, if
// any), returns its comments in order: `wanted.count` of them, or all of them (at least
// `wanted.count`) when `wanted.later_too`; or why it cannot.
using CommentSource = std::function<Result<std::vector<CommentView>>(const ApprovalView& approval,
                                                                     CommentsWanted wanted)>;

// The record holds the approval without its comments' text: only how many there are.
std::string EncodeApprovalRecord(const ApprovalView& approval);
// kCorruption when `record` is not an approval record (it fails verification, or a field is
// out of range or not JSON where JSON belongs); else the approval with all its comments (also
// those added after the record was written), those not inline taken from `comments`.
Result<ApprovalView> DecodeApprovalRecord(std::string_view record, const CommentSource& comments);

// Only what says who may decide the approval: id, run id, workflow, step, status, version,
// starter and a gate's title and approvers (no message, show, decisions or comments), for
// tallying many records quickly.
// kCorruption as DecodeApprovalRecord.
Result<ApprovalView> DecodeApprovalRecordHead(std::string_view record);

// The table inside a larger buffer (a run snapshot), and back. Unpack gives the approval with
// exactly the comments it had when packed.
flatbuffers::Offset<fb::ApprovalRecord> PackApprovalRecord(flatbuffers::FlatBufferBuilder& builder,
                                                           const ApprovalView& approval);
Result<ApprovalView> UnpackApprovalRecord(const fb::ApprovalRecord& record,
                                          const CommentSource& comments);

// One comment, the value of its approval-comments index entry.
std::string EncodeCommentRecord(const CommentView& comment);
Result<CommentView> DecodeCommentRecord(std::string_view record);

}  // namespace assent::engine
