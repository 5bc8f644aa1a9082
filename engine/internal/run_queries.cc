#include "engine/internal/run_queries.h"

#include <array>

#include "engine/internal/approval_record.h"
#include "engine/internal/comment_store.h"
#include "engine/internal/index_keys.h"
#include "engine/internal/run_commands.h"
#include "engine/internal/run_txn.h"

namespace assent::engine {
namespace {

constexpr std::array<RunStatus, 5> kAllRunStatuses{RunStatus::kRunning, RunStatus::kWaiting,
                                                   RunStatus::kCompleted, RunStatus::kFailed,
                                                   RunStatus::kCancelled};

// Collects up to `limit` ids of runs in `status` from the runs-by-status index.
Status CollectRunIds(storage::EventLog& log, RunStatus status, size_t limit,
                     std::vector<std::string>* ids) {
  Status malformed;
  Status scanned = log.ScanIndex(storage::Index::kRunsByStatus, RunsByStatusPrefix(status),
                                 [&](std::string_view key, std::string_view) {
                                   if (ids->size() >= limit) return false;
                                   auto entry = DecodeRunsByStatusKey(key);
                                   if (!entry) {
                                     malformed = Status::Corruption("malformed runs-by-status key");
                                     return false;
                                   }
                                   ids->emplace_back(entry->id);
                                   return ids->size() < limit;
                                 });
  return scanned.ok() ? malformed : scanned;
}

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

Result<RunView> RunQueries::GetRun(std::string_view run_id) {
  auto state = loader_.Load(run_id);
  if (!state.ok()) return state.status();
  return ToView(std::move(state).value());
}

Result<std::vector<RunView>> RunQueries::ListRuns(std::optional<RunStatus> status, size_t limit) {
  std::vector<std::string> run_ids;
  for (RunStatus candidate : kAllRunStatuses) {
    if (status && candidate != *status) continue;
    Status scanned = CollectRunIds(log_, candidate, limit, &run_ids);
    if (!scanned.ok()) return scanned;
  }
  std::vector<RunView> runs;
  for (const std::string& run_id : run_ids) {
    auto run = GetRun(run_id);
    if (run.ok()) {
      runs.push_back(std::move(run).value());
    } else if (Status failed = SkipOrFail(run.status(), "run", run_id); !failed.ok()) {
      return failed;
    }
  }
  return runs;
}

Result<std::vector<EventView>> RunQueries::GetEvents(std::string_view run_id) {
  return loader_.Events(run_id);
}

Result<ApprovalView> RunQueries::GetApproval(std::string_view approval_id) {
  Status not_found = Status::NotFound("approval " + std::string(approval_id) + " not found");
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

Status RunQueries::ForEachApproval(std::optional<ApprovalStatus> status,
                                   const std::function<bool(const ApprovalView&)>& visit) {
  std::string prefix = status ? ApprovalsByStatusPrefix(*status) : "";
  Status failed;
  Status scanned = log_.ScanIndex(storage::Index::kApprovalsByStatus, prefix,
                                  [&](std::string_view key, std::string_view value) {
                                    return VisitApprovalEntry(key, value, visit, &failed);
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
  std::string_view approval_id = entry->id;
  auto approval = DecodeApprovalRecord(value, StoredComments(log_));
  // A value this version did not write (a JSON record from the first version, kept until the
  // approval next changes, an older bare run id, or a record from before v0.9 that does not
  // name the workflow): fold the run instead.
  if (!approval.ok() || approval->workflow.empty()) approval = GetApproval(approval_id);
  if (approval.ok()) return visit(*approval);
  *failed = SkipOrFail(approval.status(), "approval", approval_id);
  return failed->ok();
}

Result<std::vector<ApprovalView>> RunQueries::ListApprovals(std::optional<ApprovalStatus> status,
                                                            size_t limit) {
  std::vector<ApprovalView> approvals;
  if (limit == 0) return approvals;
  Status listed = ForEachApproval(status, [&](const ApprovalView& approval) {
    approvals.push_back(approval);
    return approvals.size() < limit;
  });
  if (!listed.ok()) return listed;
  return approvals;
}

}  // namespace assent::engine
