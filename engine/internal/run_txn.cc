#include "engine/internal/run_txn.h"

#include <algorithm>

#include "engine/internal/approval_record.h"
#include "engine/internal/run_snapshot.h"

namespace assent::engine {

std::string RunStatusKey(RunStatus status, std::string_view run_id) {
  std::string key(1, static_cast<char>(status));
  key.append(run_id);
  return key;
}

std::string ApprovalStatusKey(ApprovalStatus status, std::string_view approval_id) {
  std::string key(1, static_cast<char>(status));
  key.append(approval_id);
  return key;
}

std::string StartKey(std::string_view workflow, std::string_view idempotency_key) {
  std::string key(workflow);
  key.push_back('\0');
  key.append(idempotency_key);
  return key;
}

RunTxn::RunTxn(RunState& state, int64_t now_ms)
    : state_(state),
      now_ms_(now_ms),
      new_run_(state.last_seq == 0),
      status_before_(state.status) {
  for (const ApprovalView& approval : state.approvals) {
    approvals_before_.push_back(ApprovalMark{approval.id, approval.status,
                                             approval.decisions.size(), approval.comments.size()});
  }
}

void RunTxn::EmitUnion(fb::BodyUnion body) {
  fb::EventT event;
  event.run_id = state_.run_id;
  event.seq = state_.last_seq + 1;
  event.at_ms = now_ms_;
  event.body = std::move(body);

  // One builder per thread, reused: building an event then allocates only the record itself.
  thread_local flatbuffers::FlatBufferBuilder builder(1024);
  builder.Clear();
  builder.Finish(fb::Event::Pack(builder, &event));
  storage::Record record{state_.run_id, event.seq,
                         std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()),
                                     builder.GetSize())};
  Apply(state_, *fb::GetEvent(record.bytes.data()));

  auto notify = [&](ApprovalNotification::Kind kind, const std::string& approval_id) {
    if (const ApprovalView* approval = state_.FindApproval(approval_id)) {
      notifications_.push_back(ApprovalNotification{kind, *approval});
    }
  };
  switch (event.body.type) {
    case fb::Body::ApprovalRequested:
      notify(ApprovalNotification::Kind::kRequested, event.body.AsApprovalRequested()->approval_id);
      break;
    case fb::Body::ApprovalDecided:
      notify(ApprovalNotification::Kind::kDecided, event.body.AsApprovalDecided()->approval_id);
      break;
    case fb::Body::CommentAdded:
      notify(ApprovalNotification::Kind::kCommentAdded, event.body.AsCommentAdded()->approval_id);
      break;
    default: break;  // other events do not concern reviewers
  }
  batch_.records.push_back(std::move(record));
}

storage::AppendBatch RunTxn::Finish() {
  using storage::Index;
  auto& ops = batch_.index_ops;
  if (new_run_ && !state_.idempotency_key.empty()) {
    ops.push_back({Index::kStartKeys, StartKey(state_.workflow, state_.idempotency_key),
                   state_.run_id});
  }
  if (new_run_ || status_before_ != state_.status) {
    if (!new_run_) {
      ops.push_back({Index::kRunsByStatus, RunStatusKey(status_before_, state_.run_id), {}});
    }
    ops.push_back({Index::kRunsByStatus, RunStatusKey(state_.status, state_.run_id),
                   state_.workflow});
  }
  if (!batch_.records.empty() && state_.last_seq >= state_.snapshot_seq + kSnapshotEvery) {
    ops.push_back({Index::kRunSnapshots, state_.run_id, EncodeSnapshot(state_)});
    state_.snapshot_seq = state_.last_seq;
  }
  for (const ApprovalView& approval : state_.approvals) {
    auto before = std::find_if(approvals_before_.begin(), approvals_before_.end(),
                               [&](const ApprovalMark& mark) { return mark.id == approval.id; });
    bool existed = before != approvals_before_.end();
    if (existed && before->status == approval.status &&
        before->decisions == approval.decisions.size() &&
        before->comments == approval.comments.size()) {
      continue;  // unchanged: its record is current
    }
    if (existed && before->status != approval.status) {
      ops.push_back({Index::kApprovalsByStatus, ApprovalStatusKey(before->status, approval.id), {}});
    }
    ops.push_back({Index::kApprovalsByStatus, ApprovalStatusKey(approval.status, approval.id),
                   EncodeApprovalRecord(approval)});
  }
  return std::move(batch_);
}

}  // namespace assent::engine
