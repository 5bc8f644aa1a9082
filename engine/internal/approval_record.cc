#include "engine/internal/approval_record.h"

#include <algorithm>
#include <vector>

#include <boost/json/serialize.hpp>

#include "engine/internal/stored_table.h"
#include "schemas/state_generated.h"

namespace assent::engine {
namespace {

// Persisted in every record: never change them.
constexpr char kIdentifier[] = "AAPR";
constexpr char kCommentIdentifier[] = "ACMT";

// The engine's enums and the schema's carry the same persisted numbers.
static_assert(static_cast<int>(fb::ApprovalStatus::Pending) ==
              static_cast<int>(ApprovalStatus::kPending));
static_assert(static_cast<int>(fb::ApprovalStatus::Approved) ==
              static_cast<int>(ApprovalStatus::kApproved));
static_assert(static_cast<int>(fb::ApprovalStatus::Rejected) ==
              static_cast<int>(ApprovalStatus::kRejected));
static_assert(static_cast<int>(fb::ApprovalStatus::Cancelled) ==
              static_cast<int>(ApprovalStatus::kCancelled));
static_assert(static_cast<int>(fb::ApprovalStatus::TimedOut) ==
              static_cast<int>(ApprovalStatus::kTimedOut));

// 1, the quorum of nearly every approval, is stored as absent: such records keep the bytes they
// had before quorums.
uint32_t StoredQuorum(uint32_t quorum) { return quorum > 1 ? quorum : 0; }

fb::Decision ToStored(Decision decision) {
  return decision == Decision::kApprove ? fb::Decision::Approve : fb::Decision::Reject;
}

}  // namespace

flatbuffers::Offset<fb::ApprovalRecord> PackApprovalRecord(flatbuffers::FlatBufferBuilder& builder,
                                                           const ApprovalView& approval) {
  std::vector<flatbuffers::Offset<fb::DecisionRecord>> decisions;
  for (const DecisionView& decision : approval.decisions) {
    const bool edited = !decision.edits.empty();
    decisions.push_back(fb::CreateDecisionRecord(
        builder, ToStored(decision.decision), StoreText(builder, decision.reviewer),
        StoreText(builder, decision.comment), decision.at_ms,
        edited ? StoreText(builder, boost::json::serialize(decision.edits)) : 0,
        edited ? StoreText(builder, boost::json::serialize(decision.edit_diff)) : 0));
  }
  // No inline comments (an absent vector): each is its own approval-comments entry.
  return fb::CreateApprovalRecord(
      builder, StoreText(builder, approval.id), StoreText(builder, approval.run_id),
      StoreText(builder, approval.step_id), static_cast<fb::ApprovalStatus>(approval.status),
      StoreText(builder, approval.message),
      StoreText(builder, boost::json::serialize(approval.show)), builder.CreateVector(decisions),
      /*comments=*/0, approval.requested_at_ms,
      static_cast<uint32_t>(approval.comments.size()), StoreText(builder, approval.workflow),
      approval.version, StoreText(builder, approval.started_by), approval.due_at_ms,
      StoredQuorum(approval.quorum), StoredQuorum(approval.reject_quorum), approval.rung,
      approval.remind_at_ms, approval.title.empty() ? 0 : StoreText(builder, approval.title),
      approval.approvers.empty() ? 0 : builder.CreateVectorOfStrings(approval.approvers));
}

namespace {

// The fields that say who may decide the approval, its decisions among them (see
// DecodeApprovalRecordHead).
Result<ApprovalView> UnpackHead(const fb::ApprovalRecord& record) {
  ApprovalView approval;
  approval.id = StoredText(record.approval_id());
  approval.run_id = StoredText(record.run_id());
  approval.workflow = StoredText(record.workflow());  // empty in records before v0.9
  approval.step_id = StoredText(record.step_id());
  fb::ApprovalStatus status = record.status();
  if (status < fb::ApprovalStatus::MIN || status > fb::ApprovalStatus::MAX) {
    return Status::Corruption("approval " + approval.id + ": unknown status " +
                              std::to_string(static_cast<int>(status)));
  }
  approval.status = static_cast<ApprovalStatus>(status);
  approval.version = record.version();  // 0 and empty in records before v0.10
  approval.started_by = StoredText(record.started_by());
  approval.due_at_ms = record.due_at_ms();  // 0 in records before v0.11
  // 0 in records written before quorums: the first decision decided.
  approval.quorum = std::max<uint32_t>(record.quorum(), 1);
  approval.reject_quorum = std::max<uint32_t>(record.reject_quorum(), 1);
  approval.rung = record.rung();  // 0 in records before escalation ladders
  approval.remind_at_ms = record.remind_at_ms();
  approval.title = StoredText(record.title());  // a gate's; absent for workflows' approvals
  approval.approvers = StoredTexts(record.approvers());
  // Who decided counts too: with a quorum, a reviewer who voted may not decide again.
  if (record.decisions() != nullptr) {
    for (const fb::DecisionRecord* decision : *record.decisions()) {
      if (decision->decision() != fb::Decision::Approve &&
          decision->decision() != fb::Decision::Reject) {
        return Status::Corruption("approval " + approval.id + ": unknown decision");
      }
      approval.decisions.push_back(DecisionView{
          decision->decision() == fb::Decision::Approve ? Decision::kApprove : Decision::kReject,
          std::string(StoredText(decision->reviewer())),
          std::string(StoredText(decision->comment())), decision->at_ms()});
    }
  }
  return approval;
}

// The edits of the decisions UnpackHead read, in the same order (absent before approve with
// edits, and on decisions without them).
Status UnpackEdits(const fb::ApprovalRecord& record, ApprovalView& approval) {
  if (record.decisions() == nullptr) return Status::Ok();
  for (size_t i = 0; i < approval.decisions.size(); ++i) {
    const fb::DecisionRecord* stored = record.decisions()->Get(i);
    if (stored->edits() == nullptr || stored->edits()->size() == 0) continue;
    auto edits = StoredJson(stored->edits(), "edits");
    if (!edits.ok()) return edits.status();
    auto diff = StoredJson(stored->edit_diff(), "edit_diff");
    if (!diff.ok()) return diff.status();
    if (!edits->is_object() || !diff->is_array()) {
      return Status::Corruption("approval " + approval.id + ": a decision's edits are malformed");
    }
    approval.decisions[i].edits = std::move(edits->as_object());
    approval.decisions[i].edit_diff = std::move(diff->as_array());
  }
  return Status::Ok();
}

// The record's fields, with the comments it holds inline (records of an older layout).
Result<ApprovalView> UnpackFields(const fb::ApprovalRecord& record) {
  auto head = UnpackHead(record);
  if (!head.ok()) return head;
  ApprovalView approval = std::move(head).value();
  approval.message = StoredText(record.message());
  auto show = StoredJson(record.show(), "show");
  if (!show.ok()) return show.status();
  if (!show->is_object()) {
    return Status::Corruption("approval " + approval.id + ": show is not an object");
  }
  approval.show = std::move(show->as_object());
  if (Status edits = UnpackEdits(record, approval); !edits.ok()) return edits;
  if (record.comments() != nullptr) {
    for (const fb::CommentRecord* comment : *record.comments()) {
      approval.comments.push_back(CommentView{std::string(StoredText(comment->author())),
                                              std::string(StoredText(comment->text())),
                                              comment->at_ms()});
    }
  }
  approval.requested_at_ms = record.requested_at_ms();
  return approval;
}

// The approval's comments from `source`, checked against what the record counts.
Status FetchComments(ApprovalView& approval, const CommentSource& source, CommentsWanted wanted) {
  auto comments = source(approval, wanted);
  if (!comments.ok()) return comments.status();
  if (comments->size() < wanted.count || (!wanted.later_too && comments->size() > wanted.count)) {
    return Status::Corruption("approval " + approval.id + ": " + std::to_string(wanted.count) +
                              " comments recorded, " + std::to_string(comments->size()) +
                              " found");
  }
  approval.comments = std::move(comments).value();
  return Status::Ok();
}

}  // namespace

Result<ApprovalView> UnpackApprovalRecord(const fb::ApprovalRecord& record,
                                          const CommentSource& comments) {
  auto approval = UnpackFields(record);
  if (!approval.ok() || record.comment_count() <= approval->comments.size()) return approval;
  Status fetched = FetchComments(*approval, comments, {record.comment_count(), false});
  if (!fetched.ok()) return fetched;
  return approval;
}

std::string EncodeApprovalRecord(const ApprovalView& approval) {
  flatbuffers::FlatBufferBuilder builder(512);
  builder.Finish(PackApprovalRecord(builder, approval), kIdentifier);
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
}

Result<ApprovalView> DecodeApprovalRecord(std::string_view record,
                                          const CommentSource& comments) {
  std::string aligned;
  const auto* root = VerifiedRoot<fb::ApprovalRecord>(record, kIdentifier, &aligned);
  if (root == nullptr) return Status::Corruption("approval record does not verify");
  auto approval = UnpackFields(*root);
  if (!approval.ok()) return approval;
  // Comments after the first do not rewrite the record: any it counts or holds may have been
  // followed by more.
  size_t known = std::max<size_t>(root->comment_count(), approval->comments.size());
  if (known == 0) return approval;
  Status fetched = FetchComments(*approval, comments, {known, true});
  if (!fetched.ok()) return fetched;
  return approval;
}

Result<ApprovalView> DecodeApprovalRecordHead(std::string_view record) {
  std::string aligned;
  const auto* root = VerifiedRoot<fb::ApprovalRecord>(record, kIdentifier, &aligned);
  if (root == nullptr) return Status::Corruption("approval record does not verify");
  return UnpackHead(*root);
}

std::string EncodeCommentRecord(const CommentView& comment) {
  flatbuffers::FlatBufferBuilder builder(64 + comment.author.size() + comment.text.size());
  builder.Finish(fb::CreateCommentRecord(builder, StoreText(builder, comment.author),
                                         StoreText(builder, comment.text), comment.at_ms),
                 kCommentIdentifier);
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
}

Result<CommentView> DecodeCommentRecord(std::string_view record) {
  std::string aligned;
  const auto* root = VerifiedRoot<fb::CommentRecord>(record, kCommentIdentifier, &aligned);
  if (root == nullptr) return Status::Corruption("comment record does not verify");
  return CommentView{std::string(StoredText(root->author())), std::string(StoredText(root->text())),
                     root->at_ms()};
}

}  // namespace assent::engine
