// PendingTally: how many approvals are pending, grouped by what decides who may decide them: the
// run's workflow, the version it is pinned to, the approval's step, its escalation rung, the
// run's starter and a gate's approvers (access_rules.h reads nothing else of an approval). A
// reviewer's "how many wait for me?" is then one access check per group, however many approvals
// are pending.
//
// Filled from the approvals index when the engine starts, before any commit, and kept current
// by every durable approval notification after that, in commit order (requested: one more;
// decided or cancelled: one fewer). Thread-safe: Follow runs on the commit thread, Count on
// any.
//
// With a quorum, a reviewer who voted on a pending approval waits for others, not for
// themselves: the tally also counts, per reviewer and group, the pending approvals they voted on,
// and a reviewer's count leaves those out.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/views.h"

namespace assent::engine {

class PendingTally {
 public:
  struct Group {
    std::string workflow;
    uint32_t version = 0;
    std::string step_id;
    std::string started_by;
    uint32_t rung = 0;  // the escalation rung that decides it
    std::vector<std::string> approvers;  // an outside agent's gate: who decides it

    auto operator<=>(const Group&) const = default;
  };

  // REQUIRES: approval.version is set (records before v0.10: from the folded run).
  static Group GroupOf(const ApprovalView& approval);

  // A pending approval, with the votes it has.
  void Add(const ApprovalView& approval);
  // Follows one durable notification.
  void Follow(const ApprovalNotification& notification);
  // The number of pending approvals in the groups `counts` accepts that `viewer` has not voted
  // on. `counts` runs without the tally's lock held.
  size_t Count(std::string_view viewer, const std::function<bool(const Group&)>& counts) const;

 private:
  using Counts = std::map<Group, size_t>;
  // REQUIRES: mu_ held. Drops a vote (or a pending approval) that `counts` holds.
  static void Drop(Counts& counts, const Group& group);
  // REQUIRES: mu_ held. A pending approval, with its votes, enters `group` (requested, or
  // escalated into it).
  void Enter(const Group& group, const ApprovalView& approval);
  // REQUIRES: mu_ held. An approval with `votes` decisions leaves `group` (ended, or escalated).
  void Leave(const Group& group, const ApprovalView& approval, size_t votes);

  mutable std::mutex mu_;
  Counts pending_;                                    // guarded by mu_; no group with 0
  std::map<std::string, Counts, std::less<>> voted_;  // reviewer -> their votes; no empty one
};

}  // namespace assent::engine
