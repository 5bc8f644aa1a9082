#include "engine/internal/access_rules.h"

#include <string>

#include <boost/json/array.hpp>

namespace assent::engine {
namespace {

bool Admits(const AccessList WorkflowAccess::*list, const Principal& principal,
            const WorkflowDefinition* latest) {
  return principal.admin || (latest != nullptr && (latest->access.*list).Admits(principal));
}

const StepDefinition* StepOf(const WorkflowDefinition* pinned, const ApprovalView& approval) {
  return pinned == nullptr ? nullptr : pinned->Find(approval.step_id);
}

// The approvers of the escalation rung that decides `approval` now; null before any escalation.
const AccessList* RungApprovers(const StepDefinition* step, const ApprovalView& approval) {
  if (step == nullptr || approval.rung == 0 || approval.rung > step->escalate.size()) {
    return nullptr;
  }
  return &step->escalate[approval.rung - 1].approvers;
}

// An outside agent's gate names who decides it in its request; no workflow's lists count. An
// entry that no longer parses (it cannot: they are checked when the gate opens) admits no one.
AccessList GateApprovers(const ApprovalView& gate) {
  boost::json::array entries;
  for (const std::string& entry : gate.approvers) entries.emplace_back(entry);
  auto list = AccessList::Parse(entries);
  return list.ok() ? std::move(list).value() : AccessList();
}

// Who may see a gate: admins, whoever opened it, and its approvers.
bool MayViewGate(const Principal& principal, const ApprovalView& gate) {
  return principal.admin || (!gate.started_by.empty() && gate.started_by == principal.id) ||
         GateApprovers(gate).Admits(principal);
}

Status CheckDecideGate(const Principal& principal, const ApprovalView& gate) {
  if (!MayViewGate(principal, gate)) return Status::NotFound(ApprovalNotFound(gate.id));
  if (principal.service) {
    return Status::PermissionDenied("service account '" + principal.id +
                                    "' may not decide approvals: a person must");
  }
  if (!principal.admin && !GateApprovers(gate).Admits(principal)) {
    return Status::PermissionDenied("'" + principal.id + "' may not decide gate " + gate.id +
                                    " (only the approvers it names may)");
  }
  // A gate puts another person in front of what its opener is about to do.
  if (gate.started_by == principal.id) {
    return Status::PermissionDenied("'" + principal.id + "' opened gate " + gate.id +
                                    " and may not decide it");
  }
  return Status::Ok();
}

}  // namespace

bool MayViewApproval(const Principal& principal, const WorkflowDefinition* latest,
                     const ApprovalView& approval) {
  return approval.IsAgentGate() ? MayViewGate(principal, approval) : MayView(principal, latest);
}

std::string WorkflowNotFound(std::string_view name) {
  return "workflow '" + std::string(name) + "' not found";
}
std::string RunNotFound(std::string_view run_id) {
  return "run " + std::string(run_id) + " not found";
}
std::string AlreadyDecided(std::string_view reviewer, const ApprovalView& approval) {
  return "'" + std::string(reviewer) + "' has already decided approval " + approval.id +
         ": each reviewer counts once (" +
         std::to_string(approval.CountDecisions(Decision::kApprove)) + " of " +
         std::to_string(approval.quorum) + " approvals so far)";
}

std::string ApprovalNotFound(std::string_view approval_id) {
  return "approval " + std::string(approval_id) + " not found";
}

bool MayView(const Principal& principal, const WorkflowDefinition* latest) {
  return Admits(&WorkflowAccess::viewers, principal, latest) ||
         Admits(&WorkflowAccess::editors, principal, latest) ||
         Admits(&WorkflowAccess::starters, principal, latest) ||
         Admits(&WorkflowAccess::approvers, principal, latest);
}

Status CheckApply(const Principal& principal, const WorkflowDefinition* latest) {
  // The same answer whether or not the name exists, so a refusal says nothing about it.
  if (Admits(&WorkflowAccess::editors, principal, latest)) return Status::Ok();
  return Status::PermissionDenied(
      "only admins create workflows, and only a workflow's editors apply new versions of it");
}

Status CheckStart(const Principal& principal, const WorkflowDefinition* latest,
                  std::string_view workflow) {
  if (!MayView(principal, latest)) return Status::NotFound(WorkflowNotFound(workflow));
  if (Admits(&WorkflowAccess::starters, principal, latest) ||
      Admits(&WorkflowAccess::editors, principal, latest)) {
    return Status::Ok();
  }
  return Status::PermissionDenied("'" + principal.id + "' may not start runs of workflow '" +
                                  std::string(workflow) + "' (starters and editors may)");
}

namespace {

// What only a run's workflow's editors (and admins) may do to it: `verb` it.
Status CheckEditorsRunCommand(const Principal& principal, const WorkflowDefinition* latest,
                              std::string_view run_id, std::string_view verb) {
  if (!MayView(principal, latest)) return Status::NotFound(RunNotFound(run_id));
  if (Admits(&WorkflowAccess::editors, principal, latest)) return Status::Ok();
  return Status::PermissionDenied("'" + principal.id + "' may not " + std::string(verb) +
                                  " run " + std::string(run_id) + " (the workflow's editors may)");
}

}  // namespace

Status CheckCancel(const Principal& principal, const WorkflowDefinition* latest,
                   std::string_view run_id) {
  return CheckEditorsRunCommand(principal, latest, run_id, "cancel");
}

Status CheckRetry(const Principal& principal, const WorkflowDefinition* latest,
                  std::string_view run_id) {
  return CheckEditorsRunCommand(principal, latest, run_id, "retry");
}

Status CheckComment(const Principal& principal, const WorkflowDefinition* latest,
                    const WorkflowDefinition* pinned, const ApprovalView& approval) {
  if (!MayViewApproval(principal, latest, approval)) {
    return Status::NotFound(ApprovalNotFound(approval.id));
  }
  if (approval.IsAgentGate()) return Status::Ok();  // whoever may see a gate may comment on it
  const StepDefinition* step = StepOf(pinned, approval);
  if (Admits(&WorkflowAccess::viewers, principal, latest) ||
      Admits(&WorkflowAccess::editors, principal, latest) ||
      (step != nullptr && step->approvers.Admits(principal))) {
    return Status::Ok();
  }
  if (const AccessList* rung = RungApprovers(step, approval); rung && rung->Admits(principal)) {
    return Status::Ok();
  }
  return Status::PermissionDenied("'" + principal.id + "' may not comment on approval " +
                                  approval.id + " (viewers, editors and its approvers may)");
}

const AccessList* DeciderList(const WorkflowDefinition* latest, const WorkflowDefinition* pinned,
                              const ApprovalView& approval) {
  const StepDefinition* step = StepOf(pinned, approval);
  if (const AccessList* rung = RungApprovers(step, approval)) return rung;
  if (step != nullptr && !step->approvers.empty()) return &step->approvers;
  return latest == nullptr ? nullptr : &latest->access.editors;
}

Status CheckDecide(const Principal& principal, const WorkflowDefinition* latest,
                   const WorkflowDefinition* pinned, std::string_view started_by,
                   const ApprovalView& approval) {
  if (approval.IsAgentGate()) {
    Status allowed = CheckDecideGate(principal, approval);
    // As below: a closed gate is refused for being closed (run_commands Decide).
    if (allowed.ok() && approval.status == ApprovalStatus::kPending &&
        approval.DecidedBy(principal.id)) {
      return Status::Conflict(AlreadyDecided(principal.id, approval));
    }
    return allowed;
  }
  if (!MayView(principal, latest)) return Status::NotFound(ApprovalNotFound(approval.id));
  if (principal.service) {
    return Status::PermissionDenied("service account '" + principal.id +
                                    "' may not decide approvals: a person must");
  }
  const StepDefinition* step = StepOf(pinned, approval);
  bool escalated = RungApprovers(step, approval) != nullptr;
  bool named = step != nullptr && !step->approvers.empty();
  const AccessList* deciders = DeciderList(latest, pinned, approval);
  bool allowed = principal.admin || (deciders != nullptr && deciders->Admits(principal));
  if (!allowed) {
    return Status::PermissionDenied(
        "'" + principal.id + "' may not decide approval " + approval.id +
        (escalated ? " (it was escalated: only its escalation's approvers may)"
         : named   ? " (only the approvers its step names may)"
                   : " (the workflow's editors may)"));
  }
  if (step != nullptr && !step->self_approval && !started_by.empty() &&
      started_by == principal.id) {
    return Status::PermissionDenied("'" + principal.id + "' started run " + approval.run_id +
                                    " and may not decide its approval " + approval.id +
                                    " (step '" + step->id + "' has \"self_approval\": false)");
  }
  // A vote toward a quorum counts once (a closed approval is refused for being closed).
  if (approval.status == ApprovalStatus::kPending && approval.DecidedBy(principal.id)) {
    return Status::Conflict(AlreadyDecided(principal.id, approval));
  }
  return Status::Ok();
}

bool MayDecide(const Principal& principal, const WorkflowDefinition* latest,
               const WorkflowDefinition* pinned, std::string_view started_by,
               const ApprovalView& approval) {
  return CheckDecide(principal, latest, pinned, started_by, approval).ok();
}

}  // namespace assent::engine
