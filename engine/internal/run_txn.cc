#include "engine/internal/run_txn.h"

#include <algorithm>

#include "engine/internal/approval_record.h"
#include "engine/internal/audit_index.h"
#include "engine/internal/index_keys.h"
#include "engine/internal/run_snapshot.h"
#include "engine/internal/run_timer_keys.h"

namespace assent::engine {

RunTxn::RunTxn(std::string run_id, RunState& state, int64_t now_ms)
    : run_id_(std::move(run_id)),
      state_(state),
      now_ms_(now_ms),
      seq_before_(state.last_seq),
      status_before_(state.status),
      timers_before_(TimerKeysOf(state)) {
  for (const ApprovalView& approval : state.approvals) {
    approvals_before_.push_back(ApprovalMark{approval.id, approval.status,
                                             approval.decisions.size(), approval.comments.size(),
                                             approval.rung, approval.remind_at_ms});
  }
}

void RunTxn::EmitUnion(fb::BodyUnion body, std::optional<boost::json::value> payload) {
  fb::EventT event;
  event.run_id = run_id_;
  event.seq = state_.last_seq + 1;
  event.at_ms = now_ms_;
  event.body = std::move(body);

  // One builder per thread, reused: building an event then allocates only the record itself.
  thread_local flatbuffers::FlatBufferBuilder builder(1024);
  builder.Clear();
  builder.Finish(fb::Event::Pack(builder, &event));
  storage::Record record{run_id_, event.seq,
                         std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()),
                                     builder.GetSize())};
  // A cancel withdraws every pending approval: reviewers are told of each.
  std::vector<std::string> pending_before;
  if (event.body.type == fb::Body::RunCancelled) {
    for (const ApprovalView& approval : state_.approvals) {
      if (approval.status == ApprovalStatus::kPending) pending_before.push_back(approval.id);
    }
  }
  const fb::Event& stored = *fb::GetEvent(record.bytes.data());
  Apply(state_, stored, payload ? &*payload : nullptr);
  // Who did what goes into the audit index with the event itself (after Apply: a start names
  // its run's workflow).
  for (storage::IndexOp& op : AuditIndexOps(stored, state_.workflow)) {
    batch_.index_ops.push_back(std::move(op));
  }

  auto notify = [&](ApprovalNotification::Kind kind, const std::string& approval_id,
                    const std::string& by) {
    if (const ApprovalView* approval = state_.FindApproval(approval_id)) {
      notifications_.push_back(ApprovalNotification{kind, *approval, 0, by});
    }
  };
  switch (event.body.type) {
    case fb::Body::ApprovalRequested:
      notify(ApprovalNotification::Kind::kRequested, event.body.AsApprovalRequested()->approval_id,
             "");
      break;
    case fb::Body::ApprovalDecided: {
      const auto* decided = event.body.AsApprovalDecided();
      const ApprovalView* approval = state_.FindApproval(decided->approval_id);
      bool vote = approval != nullptr && approval->status == ApprovalStatus::kPending;
      notify(vote ? ApprovalNotification::Kind::kVoted : ApprovalNotification::Kind::kDecided,
             decided->approval_id, decided->reviewer);
      break;
    }
    case fb::Body::CommentAdded: {
      const std::string& approval_id = event.body.AsCommentAdded()->approval_id;
      notify(ApprovalNotification::Kind::kCommentAdded, approval_id,
             event.body.AsCommentAdded()->author);
      // The comment gets its own entry: the approval's record only counts comments, so adding
      // one never rewrites the ones before it.
      if (const ApprovalView* approval = state_.FindApproval(approval_id)) {
        batch_.index_ops.push_back(
            {storage::Index::kApprovalComments,
             ApprovalCommentKey(approval_id, static_cast<uint32_t>(approval->comments.size() - 1)),
             EncodeCommentRecord(approval->comments.back())});
      }
      break;
    }
    case fb::Body::ApprovalTimedOut:
      notify(ApprovalNotification::Kind::kTimedOut,
             event.body.AsApprovalTimedOut()->approval_id, "");
      break;
    case fb::Body::ApprovalEscalated:
      notify(ApprovalNotification::Kind::kEscalated,
             event.body.AsApprovalEscalated()->approval_id, "");
      break;
    case fb::Body::ApprovalReminded:
      notify(ApprovalNotification::Kind::kReminded,
             event.body.AsApprovalReminded()->approval_id, "");
      break;
    case fb::Body::RunCancelled:
      for (const std::string& approval_id : pending_before) {
        notify(ApprovalNotification::Kind::kCancelled, approval_id,
               event.body.AsRunCancelled()->by);
      }
      break;
    default: break;  // other events do not concern reviewers
  }
  batch_.records.push_back(std::move(record));
}

storage::AppendBatch RunTxn::Finish() {
  using storage::Index;
  auto& ops = batch_.index_ops;
  const bool new_run = seq_before_ == 0;
  if (new_run && !state_.idempotency_key.empty()) {
    ops.push_back({Index::kStartKeys, StartKey(state_.workflow, state_.idempotency_key),
                   state_.run_id});
  }
  if (new_run || status_before_ != state_.status) {
    if (!new_run) {
      ops.push_back({Index::kRunsByStatus, RunsByStatusKey(status_before_, state_.run_id), {}});
    }
    ops.push_back({Index::kRunsByStatus, RunsByStatusKey(state_.status, state_.run_id),
                   state_.workflow});
  }
  // A timer is armed by what starts it (a wait step's start, an approval's request or
  // escalation) and disarmed by what ends it (the wake-up, a decision, a reminder, a timeout, a
  // cancel), in the same batch.
  std::vector<std::string> timers = TimerKeysOf(state_);
  for (std::string& before : timers_before_) {
    if (std::find(timers.begin(), timers.end(), before) == timers.end()) {
      ops.push_back({Index::kTimers, std::move(before), {}});
    }
  }
  for (std::string& after : timers) {
    if (std::find(timers_before_.begin(), timers_before_.end(), after) == timers_before_.end()) {
      ops.push_back({Index::kTimers, std::move(after), state_.run_id});
    }
  }
  if (SnapshotDue(seq_before_, state_.last_seq)) {
    ops.push_back({Index::kRunSnapshots, RunSnapshotKey(state_.run_id), EncodeSnapshot(state_)});
  }
  for (const ApprovalView& approval : state_.approvals) {
    auto before = std::find_if(approvals_before_.begin(), approvals_before_.end(),
                               [&](const ApprovalMark& mark) { return mark.id == approval.id; });
    bool existed = before != approvals_before_.end();
    // A comment after the first is its own index entry: readers of a record that counts
    // comments read them all from there, so the record (message, show) is not written again.
    if (existed && before->status == approval.status &&
        before->decisions == approval.decisions.size() && before->rung == approval.rung &&
        before->remind_at_ms == approval.remind_at_ms &&
        (before->comments == approval.comments.size() || before->comments > 0)) {
      continue;  // unchanged: its record is current
    }
    if (existed && before->status != approval.status) {
      ops.push_back({Index::kApprovalsByStatus, ApprovalsByStatusKey(before->status, approval.id), {}});
    }
    ops.push_back({Index::kApprovalsByStatus, ApprovalsByStatusKey(approval.status, approval.id),
                   EncodeApprovalRecord(approval)});
  }
  return std::move(batch_);
}

}  // namespace assent::engine
