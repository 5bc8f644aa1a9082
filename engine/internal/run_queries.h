// RunQueries: the engine's read side. Answers from the durable log (folding runs with the same
// Apply as the command side) and its indexes, on the caller's thread, with no engine state.
//
// A list skips an item whose records fail verification (logging it) rather than failing the
// whole list: one corrupt run must not hide every other run from reviewers.
#pragma once

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "base/logger.h"
#include "engine/internal/run_loader.h"
#include "engine/views.h"
#include "storage/event_log.h"

namespace assent::engine {

class RunQueries {
 public:
  RunQueries(storage::EventLog& log, Logger& logger)
      : log_(log), logger_(logger), loader_(log, logger) {}

  Result<RunView> GetRun(std::string_view run_id);
  Result<std::vector<RunView>> ListRuns(std::optional<RunStatus> status, size_t limit);
  Result<std::vector<EventView>> GetEvents(std::string_view run_id);
  Result<ApprovalView> GetApproval(std::string_view approval_id);
  Result<std::vector<ApprovalView>> ListApprovals(std::optional<ApprovalStatus> status,
                                                  size_t limit);
  Status ForEachApproval(std::optional<ApprovalStatus> status,
                         const std::function<bool(const ApprovalView&)>& visit);
  Status ForEachApprovalNewestFirst(ApprovalStatus status, std::string_view before_id,
                                    const std::function<bool(const ApprovalView&)>& visit);

 private:
  // Why a list item could not be read decides the list's fate: NotFound (the index ran ahead
  // of a deleted run) is skipped quietly, Corruption is skipped loudly (Ok either way), anything
  // else fails the list (returned).
  Status SkipOrFail(const Status& why, std::string_view kind, std::string_view id);
  // One approvals-by-status entry handed to `visit`: what visit answers, or false with
  // `failed` set when the entry fails the scan.
  bool VisitApprovalEntry(std::string_view key, std::string_view value,
                          const std::function<bool(const ApprovalView&)>& visit, Status* failed);

  storage::EventLog& log_;
  Logger& logger_;
  RunLoader loader_;
};

}  // namespace assent::engine
