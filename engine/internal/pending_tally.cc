#include "engine/internal/pending_tally.h"

#include <utility>
#include <vector>

namespace assent::engine {

PendingTally::Group PendingTally::GroupOf(const ApprovalView& approval) {
  return Group{approval.workflow, approval.version, approval.step_id, approval.started_by};
}

void PendingTally::Add(const Group& group) {
  std::lock_guard lock(mu_);
  ++pending_[group];
}

void PendingTally::Follow(const ApprovalNotification& notification) {
  using Kind = ApprovalNotification::Kind;
  switch (notification.kind) {
    case Kind::kRequested:
      return Add(GroupOf(notification.approval));
    case Kind::kDecided:
    case Kind::kCancelled:
    case Kind::kTimedOut: {
      std::lock_guard lock(mu_);
      auto group = pending_.find(GroupOf(notification.approval));
      // Absent only if the tally missed its request, which the start-up fill rules out.
      if (group != pending_.end() && --group->second == 0) pending_.erase(group);
      return;
    }
    case Kind::kCommentAdded:
      return;
  }
}

size_t PendingTally::Count(const std::function<bool(const Group&)>& counts) const {
  std::vector<std::pair<Group, size_t>> groups;
  {
    std::lock_guard lock(mu_);
    groups.assign(pending_.begin(), pending_.end());
  }
  size_t total = 0;
  for (const auto& [group, pending] : groups) {
    if (counts(group)) total += pending;
  }
  return total;
}

}  // namespace assent::engine
