#include "engine/views.h"

#include <algorithm>

#include <array>
#include <utility>

namespace assent::engine {
namespace {

template <typename Enum, size_t N>
std::optional<Enum> Parse(const std::array<std::pair<Enum, std::string_view>, N>& names,
                          std::string_view text) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename Enum, size_t N>
std::string_view Name(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum value) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return name;
  }
  return "unknown";
}

constexpr std::array<std::pair<RunStatus, std::string_view>, 5> kRunStatusNames{{
    {RunStatus::kRunning, "running"},
    {RunStatus::kWaiting, "waiting"},
    {RunStatus::kCompleted, "completed"},
    {RunStatus::kFailed, "failed"},
    {RunStatus::kCancelled, "cancelled"},
}};

constexpr std::array<std::pair<ApprovalStatus, std::string_view>, 5> kApprovalStatusNames{{
    {ApprovalStatus::kPending, "pending"},
    {ApprovalStatus::kApproved, "approved"},
    {ApprovalStatus::kRejected, "rejected"},
    {ApprovalStatus::kCancelled, "cancelled"},
    {ApprovalStatus::kTimedOut, "timed_out"},
}};

constexpr std::array<std::pair<Decision, std::string_view>, 2> kDecisionNames{{
    {Decision::kApprove, "approve"},
    {Decision::kReject, "reject"},
}};

}  // namespace

std::string_view ToString(RunStatus status) { return Name(kRunStatusNames, status); }
std::string_view ToString(ApprovalStatus status) { return Name(kApprovalStatusNames, status); }
std::string_view ToString(Decision decision) { return Name(kDecisionNames, decision); }


std::optional<RunStatus> ParseRunStatus(std::string_view text) {
  return Parse(kRunStatusNames, text);
}
std::optional<ApprovalStatus> ParseApprovalStatus(std::string_view text) {
  return Parse(kApprovalStatusNames, text);
}
std::optional<Decision> ParseDecision(std::string_view text) { return Parse(kDecisionNames, text); }

std::string_view ToString(ApprovalNotification::Kind kind) {
  switch (kind) {
    case ApprovalNotification::Kind::kRequested: return "approval.requested";
    case ApprovalNotification::Kind::kDecided: return "approval.decided";
    case ApprovalNotification::Kind::kCommentAdded: return "comment.added";
    case ApprovalNotification::Kind::kTimedOut: return "approval.timed_out";
    case ApprovalNotification::Kind::kCancelled: return "approval.cancelled";
    case ApprovalNotification::Kind::kVoted: return "approval.voted";
    case ApprovalNotification::Kind::kEscalated: return "approval.escalated";
    case ApprovalNotification::Kind::kReminded: return "approval.reminded";
  }
  return "unknown";
}

bool ApprovalView::IsAgentGate() const { return workflow == kAgentGateWorkflow; }

bool ApprovalView::DecidedBy(std::string_view reviewer) const {
  return std::any_of(decisions.begin(), decisions.end(),
                     [&](const DecisionView& decision) { return decision.reviewer == reviewer; });
}

boost::json::object ApprovalView::ApprovedShow() const {
  boost::json::object approved = show;
  if (!decisions.empty()) {
    for (const auto& [field, value] : decisions.back().edits) approved[field] = value;
  }
  return approved;
}

size_t ApprovalView::CountDecisions(Decision decision) const {
  return std::count_if(decisions.begin(), decisions.end(),
                       [&](const DecisionView& made) { return made.decision == decision; });
}

}  // namespace assent::engine
