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

#include "engine/views.h"
#include "storage/event_log.h"

namespace assent::engine {

class RunQueries {
 public:
  explicit RunQueries(storage::EventLog& log) : log_(log) {}

  Result<RunView> GetRun(std::string_view run_id);
  Result<std::vector<RunView>> ListRuns(std::optional<RunStatus> status, size_t limit);
  Result<std::vector<EventView>> GetEvents(std::string_view run_id);
  Result<ApprovalView> GetApproval(std::string_view approval_id);
  Result<std::vector<ApprovalView>> ListApprovals(std::optional<ApprovalStatus> status,
                                                  size_t limit);
  Status ForEachApproval(std::optional<ApprovalStatus> status,
                         const std::function<bool(const ApprovalView&)>& visit);

 private:
  storage::EventLog& log_;
};

}  // namespace assent::engine
