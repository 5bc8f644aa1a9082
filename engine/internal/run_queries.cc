#include "engine/internal/run_queries.h"

#include <array>
#include <map>

#include "engine/internal/access_rules.h"
#include "engine/internal/approval_record.h"
#include "engine/internal/approval_text_match.h"
#include "engine/internal/comment_store.h"
#include "engine/internal/index_keys.h"
#include "engine/internal/newest_first.h"
#include "engine/internal/run_commands.h"
#include "engine/internal/run_txn.h"

namespace assent::engine {
namespace {

constexpr std::array<RunStatus, 5> kAllRunStatuses{RunStatus::kRunning, RunStatus::kWaiting,
                                                   RunStatus::kCompleted, RunStatus::kFailed,
                                                   RunStatus::kCancelled};
// Pending first: an approval only ever leaves pending, so were it decided between two scans
// it is seen twice (and kept once), never missed.
constexpr std::array<ApprovalStatus, 5> kAllApprovalStatuses{
    ApprovalStatus::kPending, ApprovalStatus::kApproved, ApprovalStatus::kRejected,
    ApprovalStatus::kCancelled, ApprovalStatus::kTimedOut};

}  // namespace

Status RunQueries::SkipOrFail(const Status& why, std::string_view kind, std::string_view id) {
  if (why.code() == StatusCode::kNotFound) return Status::Ok();
  if (why.code() == StatusCode::kCorruption) {
    logger_.Error("unreadable item skipped in a list",
                  {{"kind", kind}, {"id", id}, {"error", why.ToString()}});
    return Status::Ok();
  }
  return why;
}

bool RunQueries::MayView(const Principal& viewer, std::string_view workflow) const {
  if (viewer.admin) return true;  // no lookup: the admin sees everything
  return engine::MayView(viewer, registry_.Latest(workflow).get());
}

bool RunQueries::MayViewApproval(const Principal& viewer, const ApprovalView& approval) const {
  if (viewer.admin) return true;
  return engine::MayViewApproval(viewer, registry_.Latest(approval.workflow).get(), approval);
}

Result<RunView> RunQueries::GetRun(const Principal& viewer, std::string_view run_id) {
  auto state = loader_.Load(run_id);
  if (!state.ok()) return state.status();
  if (!MayView(viewer, state->workflow)) return Status::NotFound(RunNotFound(run_id));
  RunView view = ToView(std::move(state).value());
  if (view.status == RunStatus::kFailed) {
    view.can_retry = CheckRetry(viewer, registry_.Latest(view.workflow).get(), run_id).ok();
  }
  return view;
}

Result<RunPage> RunQueries::ListRuns(const Principal& viewer, const RunQuery& query) {
  NewestFirstScan scan{.index = storage::Index::kRunsByStatus, .limit = query.limit};
  for (RunStatus status : kAllRunStatuses) {
    if (!query.status || *query.status == status) {
      scan.prefixes.push_back(RunsByStatusPrefix(status));
    }
  }
  scan.before = query.after;
  if (query.started_before_ms) {
    std::string bound = RunIdTimePrefix(*query.started_before_ms);
    if (scan.before.empty() || bound < scan.before) scan.before = std::move(bound);
  }
  if (query.started_since_ms) scan.not_below = RunIdTimePrefix(*query.started_since_ms);
  // The entry's value is the run's workflow: both filters need no fold. Outside agents' gates
  // are approvals, not runs: their runs are not listed (an admin can still read one by id).
  scan.accept = [&](std::string_view, std::string_view workflow) {
    return (!query.workflow || *query.workflow == workflow) && workflow != kAgentGateWorkflow &&
           MayView(viewer, workflow);
  };
  auto page = ScanNewestFirst(log_, scan);
  if (!page.ok()) return page.status();
  RunPage runs{.next = page->next};
  for (const std::string& run_id : page->ids) {
    auto state = loader_.Load(run_id);
    if (state.ok()) {
      runs.runs.push_back(ToView(std::move(state).value()));
    } else if (Status failed = SkipOrFail(state.status(), "run", run_id); !failed.ok()) {
      return failed;
    }
  }
  return runs;
}

Result<std::vector<EventView>> RunQueries::GetEvents(const Principal& viewer,
                                                     std::string_view run_id) {
  auto events = loader_.Events(run_id);
  if (!events.ok() || viewer.admin) return events;
  // The first event, RunStarted, names the workflow.
  const boost::json::value* workflow =
      events->empty() ? nullptr : events->front().fields.if_contains("workflow");
  if (workflow == nullptr || !workflow->is_string() || !MayView(viewer, workflow->get_string())) {
    return Status::NotFound(RunNotFound(run_id));
  }
  return events;
}

Result<ApprovalView> RunQueries::LoadApproval(std::string_view approval_id) {
  Status not_found = Status::NotFound(ApprovalNotFound(approval_id));
  std::string_view run_id = RunIdOfApproval(approval_id);
  if (run_id.empty()) return not_found;
  auto state = loader_.Load(run_id);
  if (!state.ok()) {
    return state.status().code() == StatusCode::kNotFound ? not_found : state.status();
  }
  const ApprovalView* approval = state->FindApproval(approval_id);
  if (approval == nullptr) return not_found;
  return *approval;
}

Result<ApprovalView> RunQueries::GetApproval(const Principal& viewer,
                                             std::string_view approval_id) {
  auto approval = LoadApproval(approval_id);
  if (approval.ok() && !MayViewApproval(viewer, *approval)) {
    return Status::NotFound(ApprovalNotFound(approval_id));
  }
  return approval;
}

Result<ApprovalView> RunQueries::ApprovalOfEntry(std::string_view approval_id,
                                                 std::string_view value) {
  auto approval = DecodeApprovalRecord(value, StoredComments(log_));
  // A value this version did not write (a JSON record from the first version, kept until
  // the approval next changes, an older bare run id, or a record from before v0.9 that
  // does not name the workflow): fold the run instead.
  if (!approval.ok() || approval->workflow.empty()) approval = LoadApproval(approval_id);
  return approval;
}

DecidersView RunQueries::Deciders(const Principal& viewer, const ApprovalView& approval) {
  uint32_t version = approval.version;
  std::string started_by = approval.started_by;
  if (version == 0) {
    // A record written before v0.10 names neither: its run does.
    auto run = loader_.Load(approval.run_id);
    if (run.ok()) {
      version = run->version;
      started_by = std::move(run->started_by);
    }
  }
  auto latest = registry_.Latest(approval.workflow);
  auto pinned = version == 0 ? nullptr : registry_.Get(approval.workflow, version);
  DecidersView deciders;
  if (approval.IsAgentGate()) {
    deciders.approvers = approval.approvers;
  } else if (const AccessList* list = DeciderList(latest.get(), pinned.get(), approval)) {
    deciders.approvers = list->entries();
  }
  deciders.can_decide =
      approval.status == ApprovalStatus::kPending && version != 0 &&
      engine::MayDecide(viewer, latest.get(), pinned.get(), started_by, approval);
  // Edits follow the run's own version, as its step decides them (run_commands Decide).
  const StepDefinition* step = pinned ? pinned->Find(approval.step_id) : nullptr;
  if (step != nullptr) {
    deciders.edits_allowed = step->edits_allowed;
    deciders.editable_fields = step->editable_fields;
  }
  return deciders;
}

size_t RunQueries::CountDecidable(const Principal& viewer, const PendingTally& tally) {
  return tally.Count(viewer.id, [&](const PendingTally::Group& group) {
    ApprovalView probe;  // pending; access_rules read nothing else of an approval
    probe.workflow = group.workflow;
    probe.step_id = group.step_id;
    probe.version = group.version;
    probe.started_by = group.started_by;
    probe.rung = group.rung;
    probe.approvers = group.approvers;
    return Deciders(viewer, probe).can_decide;
  });
}

Status RunQueries::TallyPending(PendingTally& tally) {
  Status failed;
  Status scanned = log_.ScanIndex(
      storage::Index::kApprovalsByStatus, ApprovalsByStatusPrefix(ApprovalStatus::kPending),
      [&](std::string_view key, std::string_view value) {
        auto entry = DecodeApprovalsByStatusKey(key);
        if (!entry) {
          failed = SkipOrFail(Status::Corruption("malformed approvals-by-status key"), "approval",
                              key);
          return failed.ok();
        }
        auto approval = DecodeApprovalRecordHead(value);
        // Records of older kinds lack the workflow or the version: fold the run for them.
        if (!approval.ok() || approval->workflow.empty() || approval->version == 0) {
          approval = LoadApproval(entry->id);
        }
        if (!approval.ok()) {
          failed = SkipOrFail(approval.status(), "approval", entry->id);
          return failed.ok();
        }
        tally.Add(*approval);
        return true;
      });
  return scanned.ok() ? failed : scanned;
}

Status RunQueries::ForEachApproval(const Principal& viewer, std::optional<ApprovalStatus> status,
                                   const std::function<bool(const ApprovalView&)>& visit) {
  std::string prefix = status ? ApprovalsByStatusPrefix(*status) : "";
  auto visible = [&](const ApprovalView& approval) {
    return !MayViewApproval(viewer, approval) || visit(approval);
  };
  Status failed;
  Status scanned = log_.ScanIndex(storage::Index::kApprovalsByStatus, prefix,
                                  [&](std::string_view key, std::string_view value) {
                                    return VisitApprovalEntry(key, value, visible, &failed);
                                  });
  return scanned.ok() ? failed : scanned;
}

Status RunQueries::ForEachApprovalNewestFirst(
    ApprovalStatus status, std::string_view before_id,
    const std::function<bool(const ApprovalView&)>& visit) {
  std::string before = before_id.empty() ? "" : ApprovalsByStatusKey(status, before_id);
  Status failed;
  Status scanned = log_.ScanIndexReverse(storage::Index::kApprovalsByStatus,
                                         ApprovalsByStatusPrefix(status), before,
                                         [&](std::string_view key, std::string_view value) {
                                           return VisitApprovalEntry(key, value, visit, &failed);
                                         });
  return scanned.ok() ? failed : scanned;
}

bool RunQueries::VisitApprovalEntry(std::string_view key, std::string_view value,
                                    const std::function<bool(const ApprovalView&)>& visit,
                                    Status* failed) {
  auto entry = DecodeApprovalsByStatusKey(key);
  if (!entry) {
    *failed = SkipOrFail(Status::Corruption("malformed approvals-by-status key"), "approval", key);
    return failed->ok();
  }
  auto approval = ApprovalOfEntry(entry->id, value);
  if (approval.ok()) return visit(*approval);
  *failed = SkipOrFail(approval.status(), "approval", entry->id);
  return failed->ok();
}

Result<ApprovalPage> RunQueries::ListApprovals(const Principal& viewer,
                                               const ApprovalQuery& query) {
  std::optional<ApprovalStatus> only = query.status;
  if (query.decidable_by_viewer) {
    if (only && *only != ApprovalStatus::kPending) return ApprovalPage{};
    only = ApprovalStatus::kPending;
  }
  NewestFirstScan scan{.index = storage::Index::kApprovalsByStatus,
                       .before = query.after,
                       .limit = query.limit};
  for (ApprovalStatus status : kAllApprovalStatuses) {
    if (!only || *only == status) scan.prefixes.push_back(ApprovalsByStatusPrefix(status));
  }
  std::map<std::string, ApprovalView, std::less<>> kept;
  Status failed;
  scan.accept = [&](std::string_view id, std::string_view value) {
    if (!failed.ok()) return false;
    auto approval = ApprovalOfEntry(id, value);
    if (!approval.ok()) {
      failed = SkipOrFail(approval.status(), "approval", id);
      return false;
    }
    bool wanted = (!query.workflow || *query.workflow == approval->workflow) &&
                  MayViewApproval(viewer, *approval) &&
                  ApprovalMentions(*approval, query.text) &&
                  (!query.decidable_by_viewer || Deciders(viewer, *approval).can_decide);
    if (wanted) kept.insert_or_assign(std::string(id), std::move(approval).value());
    return wanted;
  };
  auto page = ScanNewestFirst(log_, scan);
  if (!page.ok()) return page.status();
  if (!failed.ok()) return failed;
  ApprovalPage approvals{.next = page->next};
  for (const std::string& id : page->ids) approvals.approvals.push_back(std::move(kept.at(id)));
  return approvals;
}

}  // namespace assent::engine
