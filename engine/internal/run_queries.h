// RunQueries: the engine's read side. Answers from the durable log (folding runs with the same
// Apply as the command side) and its indexes, on the caller's thread, with no engine state
// but the workflow registry, whose latest definitions say who may see what (access_rules.h):
// an item the viewer may not see is answered exactly as an unknown one.
//
// A list skips an item whose records fail verification (logging it) rather than failing the
// whole list: one corrupt run must not hide every other run from reviewers.
#pragma once

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "base/logger.h"
#include "engine/engine.h"
#include "engine/internal/pending_tally.h"
#include "engine/internal/run_loader.h"
#include "engine/internal/workflow_registry.h"
#include "engine/views.h"
#include "storage/event_log.h"

namespace assent::engine {

class RunQueries {
 public:
  RunQueries(storage::EventLog& log, const WorkflowRegistry& registry, Logger& logger)
      : log_(log), registry_(registry), logger_(logger), loader_(log, logger) {}

  bool MayView(const Principal& viewer, std::string_view workflow) const;
  // Whether `viewer` may see `approval`: by its workflow, or a gate by its own rules.
  bool MayViewApproval(const Principal& viewer, const ApprovalView& approval) const;

  Result<RunView> GetRun(const Principal& viewer, std::string_view run_id);
  Result<RunPage> ListRuns(const Principal& viewer, const RunQuery& query);
  Result<std::vector<EventView>> GetEvents(const Principal& viewer, std::string_view run_id);
  Result<ApprovalView> GetApproval(const Principal& viewer, std::string_view approval_id);
  Result<ApprovalPage> ListApprovals(const Principal& viewer, const ApprovalQuery& query);
  Status ForEachApproval(const Principal& viewer, std::optional<ApprovalStatus> status,
                         const std::function<bool(const ApprovalView&)>& visit);
  Status ForEachApprovalNewestFirst(ApprovalStatus status, std::string_view before_id,
                                    const std::function<bool(const ApprovalView&)>& visit);
  DecidersView Deciders(const Principal& viewer, const ApprovalView& approval);
  size_t CountDecidable(const Principal& viewer, const PendingTally& tally);
  // Adds every pending approval to `tally`. Before any commit (the engine's start): approvals
  // requested or decided meanwhile would be counted wrong.
  Status TallyPending(PendingTally& tally);

 private:
  // Why a list item could not be read decides the list's fate: NotFound (the index ran ahead
  // of a deleted run) is skipped quietly, Corruption is skipped loudly (Ok either way), anything
  // else fails the list (returned).
  Status SkipOrFail(const Status& why, std::string_view kind, std::string_view id);
  // One approvals-by-status entry handed to `visit`: what visit answers, or false with
  // `failed` set when the entry fails the scan.
  bool VisitApprovalEntry(std::string_view key, std::string_view value,
                          const std::function<bool(const ApprovalView&)>& visit, Status* failed);
  // The approval as an approvals-by-status entry holds it, or folded from its run when the
  // entry is of an older kind (see ForEachApproval).
  Result<ApprovalView> ApprovalOfEntry(std::string_view approval_id, std::string_view value);
  Result<ApprovalView> LoadApproval(std::string_view approval_id);

  storage::EventLog& log_;
  const WorkflowRegistry& registry_;
  Logger& logger_;
  RunLoader loader_;
};

}  // namespace assent::engine
