// Who may do what to a workflow, its runs and their approvals (issue 9, "access per workflow").
// Admins may see and do everything; otherwise:
//   see        viewers, editors, starters, and anyone a step names in `approvers` (or in a
//              rung of its `escalate`)
//   start      starters and editors
//   comment    viewers, editors, and the approval step's approvers (and its current rung's)
//   decide     once its timeout escalated it, the current rung's approvers (the step's
//              `escalate`); else the approval step's approvers when it names them, else the
//              editors; never a service account; with "self_approval": false never the
//              run's starter (admins
//              included: separation of duties is the point of the flag); once per reviewer
//              (with a quorum, who voted may not vote again: kConflict)
//   cancel     editors
//   apply      editors of the existing workflow; a new workflow name: admins only
// A definition that names none of the lists is for admins only.
//
// An outside agent's gate (ApprovalView::IsAgentGate) belongs to no workflow: admins, whoever opened
// it and the approvers it names see it and may comment; its approvers (and admins) decide it,
// never a service account and never whoever opened it.
//
// Which definition's lists count: the workflow's latest version for viewers, editors and
// starters (revoking access takes effect at once, for runs of older versions too); the version
// a run is pinned to for its approval step's `approvers` and `self_approval`.
//
// A principal who may not see an item is answered kNotFound exactly as for an unknown id, so
// its existence does not leak; one who may see it but not do this gets kPermissionDenied.
// Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "base/status.h"
#include "engine/actor.h"
#include "engine/internal/definition.h"
#include "engine/views.h"

namespace assent::engine {

// `latest`: the workflow's latest readable version; null (none, or unreadable): admins only.
bool MayView(const Principal& principal, const WorkflowDefinition* latest);

// Whether `principal` may see `approval`: a gate by its own rules, else as MayView.
bool MayViewApproval(const Principal& principal, const WorkflowDefinition* latest,
                     const ApprovalView& approval);

Status CheckApply(const Principal& principal, const WorkflowDefinition* latest);
Status CheckStart(const Principal& principal, const WorkflowDefinition* latest,
                  std::string_view workflow);
Status CheckCancel(const Principal& principal, const WorkflowDefinition* latest,
                   std::string_view run_id);
Status CheckRetry(const Principal& principal, const WorkflowDefinition* latest,
                  std::string_view run_id);
// `pinned`: the run's definition (null when unreadable); `approval` one of the run's.
Status CheckComment(const Principal& principal, const WorkflowDefinition* latest,
                    const WorkflowDefinition* pinned, const ApprovalView& approval);
Status CheckDecide(const Principal& principal, const WorkflowDefinition* latest,
                   const WorkflowDefinition* pinned, std::string_view started_by,
                   const ApprovalView& approval);
// Who decides `approval` besides admins: its escalation rung's approvers once escalated, else
// its step's `approvers` when the step names them, else the workflow's editors; null when the
// definition that would say is unreadable.
const AccessList* DeciderList(const WorkflowDefinition* latest, const WorkflowDefinition* pinned,
                              const ApprovalView& approval);
// Whether `principal` may decide `approval` (CheckDecide passes): the `?assignee=me` filter.
bool MayDecide(const Principal& principal, const WorkflowDefinition* latest,
               const WorkflowDefinition* pinned, std::string_view started_by,
               const ApprovalView& approval);

// The messages of an unknown (or unseen) item: the same for both.
std::string WorkflowNotFound(std::string_view name);
std::string RunNotFound(std::string_view run_id);
std::string ApprovalNotFound(std::string_view approval_id);
// The kConflict message for a reviewer deciding again an approval they voted on.
std::string AlreadyDecided(std::string_view reviewer, const ApprovalView& approval);

}  // namespace assent::engine
