#include "engine/internal/pending_tally.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace assent::engine {

PendingTally::Group PendingTally::GroupOf(const ApprovalView& approval) {
  return Group{approval.workflow,   approval.version, approval.step_id,
               approval.started_by, approval.rung,    approval.approvers};
}

void PendingTally::Add(const ApprovalView& approval) {
  std::lock_guard lock(mu_);
  Enter(GroupOf(approval), approval);
}

void PendingTally::Enter(const Group& group, const ApprovalView& approval) {
  ++pending_[group];
  for (const DecisionView& vote : approval.decisions) ++voted_[vote.reviewer][group];
}

void PendingTally::Drop(Counts& counts, const Group& group) {
  auto found = counts.find(group);
  // Absent only if the tally missed its request, which the start-up fill rules out.
  if (found != counts.end() && --found->second == 0) counts.erase(found);
}

void PendingTally::Leave(const Group& group, const ApprovalView& approval, size_t votes) {
  Drop(pending_, group);
  for (size_t i = 0; i < votes && i < approval.decisions.size(); ++i) {
    auto reviewer = voted_.find(approval.decisions[i].reviewer);
    if (reviewer == voted_.end()) continue;
    Drop(reviewer->second, group);
    if (reviewer->second.empty()) voted_.erase(reviewer);
  }
}

void PendingTally::Follow(const ApprovalNotification& notification) {
  using Kind = ApprovalNotification::Kind;
  const ApprovalView& approval = notification.approval;
  switch (notification.kind) {
    case Kind::kRequested:
      return Add(approval);
    case Kind::kVoted: {
      std::lock_guard lock(mu_);
      ++voted_[notification.by][GroupOf(approval)];
      return;
    }
    case Kind::kDecided:
    case Kind::kCancelled:
    case Kind::kTimedOut: {
      Group group = GroupOf(approval);
      // Every decision before the end was a vote; a decision that ended it was not one.
      size_t votes = approval.decisions.size();
      if (notification.kind == Kind::kDecided && votes > 0) --votes;
      std::lock_guard lock(mu_);
      Leave(group, approval, votes);
      return;
    }
    case Kind::kEscalated: {
      // From the rung before to this one, with its votes.
      Group group = GroupOf(approval);
      Group before = group;
      before.rung = approval.rung > 0 ? approval.rung - 1 : 0;
      std::lock_guard lock(mu_);
      Leave(before, approval, approval.decisions.size());
      Enter(group, approval);
      return;
    }
    case Kind::kReminded:
    case Kind::kCommentAdded:
      return;
  }
}

size_t PendingTally::Count(std::string_view viewer,
                           const std::function<bool(const Group&)>& counts) const {
  std::vector<std::pair<Group, size_t>> groups;
  Counts voted;
  {
    std::lock_guard lock(mu_);
    groups.assign(pending_.begin(), pending_.end());
    if (auto reviewer = voted_.find(viewer); reviewer != voted_.end()) voted = reviewer->second;
  }
  size_t total = 0;
  for (const auto& [group, pending] : groups) {
    if (!counts(group)) continue;
    auto own = voted.find(group);
    total += pending - (own == voted.end() ? 0 : std::min(own->second, pending));
  }
  return total;
}

}  // namespace assent::engine
