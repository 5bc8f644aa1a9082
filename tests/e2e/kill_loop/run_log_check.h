// The checks of one run: its event log folded here, independently of the engine, and compared
// with what the server shows (GET /v1/runs/{id}, GET /v1/approvals/{id}), with what it
// acknowledged (the Ledger) and with what reached the side-effect target. Pure functions of the
// JSON; each throws CheckFailed naming the run or approval.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "tests/e2e/kill_loop/ledger.h"
#include "tests/e2e/kill_loop/side_effect_check.h"

namespace assent::testing::kill_loop {

// One approval as the run's events tell it.
struct LoggedApproval {
  std::string status;  // pending, approved, rejected, cancelled or timed_out
  std::vector<std::pair<std::string, std::string>> decisions;  // (decision, comment)
  std::vector<std::string> comments;                           // texts, in order
  int64_t quorum = 1;            // approvals that decide it; a decision short of it is a vote
  std::set<std::string> voters;  // who decided: each reviewer once
  int escalations = 0;           // rungs its timeouts took it to
  bool edited = false;           // its deciding approval carried edits
};

// One run as its events tell it.
struct LoggedRun {
  std::string run_id;
  std::string tag;
  int amount = 0;
  std::string idempotency_key;
  std::string status;  // running, waiting, completed, failed or cancelled
  std::map<std::string, LoggedApproval> approvals;
  std::set<std::string> expected_keys;   // "<run>/<step>/<seq of its first attempt>", per visit
  std::set<std::string> completed_keys;  // the keys of http steps that completed
  int64_t approved_amount = -1;          // what "done" says the review approved; -1: not run
  std::string pay_gate;                  // the approval pay's gate asked for; empty: none
  int retries = 0;                       // run.retried events: each after a run.failed
};

// Folds GET /v1/runs/{id}/events: seqs 1..n without gaps, one run.started first, nothing but
// comments after the run finished (but a run.retried, by the admin, after it failed), each approval requested once, decided by each reviewer at
// most once and never after it closed (its quorum reached, rejected, timed out), each
// step completed at most once (the workflow has no loops), no retried attempt started
// before the time its step.failed gave it, and pay's call started only where its gate did not
// ask or after its approval (PayIsGated).
LoggedRun FoldEvents(const std::string& run_id, const boost::json::array& events);

// GET /v1/runs/{id} agrees with the log: status, input tag, pending approvals.
void CheckRunView(const LoggedRun& run, const boost::json::value& view);

// Every acknowledged fact about the run holds: its start (tag, key, input), the finished status
// an answer showed (failed, unless it was retried since), an acknowledged cancel, each
// acknowledged retry (a run.retried in the log).
void CheckRunFacts(const LoggedRun& run, const Ledger& ledger);

// The target got only keys of the run's own step visits, with the run's tag, and a 2xx for
// every http step the run completed.
void CheckRunSideEffects(const LoggedRun& run, const SideEffectIndex& effects);

// GET /v1/approvals/{id} agrees with the log, and every acknowledged decision and comment on it
// is there exactly once (`acked` may be null: nothing acknowledged); an acknowledged approval
// with edits is in the log with them, and its run went on with the edited amount.
void CheckApproval(const LoggedRun& run, const std::string& approval_id,
                   const boost::json::value& view, const ApprovalFacts* acked);

}  // namespace assent::testing::kill_loop
