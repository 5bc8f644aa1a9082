#include "tests/e2e/kill_loop/ledger.h"

#include <utility>

namespace assent::testing::kill_loop {

void Ledger::BeginRound(int round) {
  std::lock_guard lock(mutex_);
  round_ = round;
  counts_ = RoundCounts{};
}

RunFacts& Ledger::Touch(const std::string& run_id) {
  touched_.insert(run_id);
  return runs_[run_id];
}

void Ledger::Intend(const StartIntent& intent) {
  std::lock_guard lock(mutex_);
  intents_.emplace(intent.tag, intent);
}

void Ledger::AckStart(const std::string& run_id, const StartIntent& intent, bool repeat,
                      bool waited, const std::string& finished_as) {
  std::lock_guard lock(mutex_);
  RunFacts& run = Touch(run_id);
  run.tag = intent.tag;
  if (run.acked_in_round == 0) run.acked_in_round = round_;
  if (!finished_as.empty()) run.finished_as.insert(finished_as);
  if (!intent.key.empty()) by_key_[intent.key].insert(run_id);
  by_tag_[intent.tag].insert(run_id);
  ++counts_.starts;
  if (!intent.key.empty()) ++counts_.keyed;
  if (repeat) ++counts_.repeated;
  if (waited) ++counts_.waited;
}

void Ledger::AckUser(const std::string& user_id, const std::string& token) {
  std::lock_guard lock(mutex_);
  users_[user_id] = UserFact{token, round_};
  ++counts_.users;
}

void Ledger::AckDecision(const std::string& approval_id, const std::string& run_id,
                         const DecisionFact& decision) {
  std::lock_guard lock(mutex_);
  Touch(run_id);
  ApprovalFacts& approval = approvals_[approval_id];
  approval.run_id = run_id;
  approval.decisions.push_back(decision);
  ++(decision.via == "ws" ? counts_.ws_decisions : counts_.rest_decisions);
}

void Ledger::AckComment(const std::string& approval_id, const std::string& run_id,
                        const CommentFact& comment) {
  std::lock_guard lock(mutex_);
  Touch(run_id);
  ApprovalFacts& approval = approvals_[approval_id];
  approval.run_id = run_id;
  approval.comments.push_back(comment);
  ++(comment.via == "ws" ? counts_.ws_comments : counts_.rest_comments);
}

void Ledger::AckCancel(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  RunFacts& run = Touch(run_id);
  if (run.cancel_acked_in_round == 0) run.cancel_acked_in_round = round_;
  run.finished_as.insert("cancelled");
  ++counts_.cancels;
}

void Ledger::RetrySent(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  Touch(run_id).verified_finished = false;
}

void Ledger::AckRetry(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  ++Touch(run_id).retries_acked;
  ++counts_.retries;
}

void Ledger::Conflict() {
  std::lock_guard lock(mutex_);
  ++counts_.conflicts;
}

void Ledger::CutOff() {
  std::lock_guard lock(mutex_);
  ++counts_.cut_off;
}

void Ledger::SawRun(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  if (!runs_.contains(run_id)) Touch(run_id);
}

void Ledger::SawApproval(const std::string& approval_id, const std::string& run_id) {
  std::lock_guard lock(mutex_);
  if (!runs_.contains(run_id)) Touch(run_id);
  approvals_[approval_id].run_id = run_id;
}

void Ledger::Anomaly(const std::string& what) {
  std::lock_guard lock(mutex_);
  anomalies_.push_back("round " + std::to_string(round_) + ": " + what);
}

std::set<std::string> Ledger::TakeTouched() {
  std::lock_guard lock(mutex_);
  return std::exchange(touched_, {});
}

}  // namespace assent::testing::kill_loop
