// Checker: everything checked after a restart, against the restarted server. Which runs:
// those with anything new since the last check, those not yet seen finished, a sample of
// finished ones (finished runs stay finished, so a sample keeps each round's cost flat), or
// every run the test knows (the last round). Throws CheckFailed at the first failed check.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "tests/e2e/kill_loop/ledger.h"
#include "tests/e2e/kill_loop/load.h"
#include "tests/e2e/kill_loop/side_effects.h"
#include "tests/support/api_client.h"

namespace assent::testing::kill_loop {

struct CheckReport {
  size_t runs = 0;       // runs checked
  size_t approvals = 0;  // approvals checked
  size_t timed_out = 0;  // of them, ended by their timeout
  size_t with_votes = 0; // of them, holding a vote short of its quorum (pending or timed out)
  size_t escalated = 0;  // of them, escalated by their first timeout
  size_t edited = 0;     // of them, approved with edits
  size_t gates = 0;      // of them, pay's tool-level gates
  size_t pending = 0;    // approvals pending after the round (snapshot = index = runs)
  size_t requests = 0;   // requests the target got so far, all rounds
  size_t failed_on_purpose = 0;
  size_t side_effects = 0;  // distinct keys so far
  size_t longest_log = 0;   // events of the longest run log checked
  size_t users = 0;         // acknowledged users, all rounds
  // The delivery ids of the notify steps completed in the runs checked (their outputs').
  std::vector<std::string> notices;
};

class Checker {
 public:
  Checker(Ledger& ledger, const SideEffectTarget& target) : ledger_(ledger), target_(target) {}

  // Also refreshes `work` (pending approvals, open runs) for the next round's load.
  // `pending_gates`: the outside agents' gates pending (CheckGates, gates.h), which the
  // snapshot and the index hold beside the runs' approvals; the load leaves them to the gates'
  // own agent.
  CheckReport Run(uint16_t port, const std::string& token, std::mt19937_64& random,
                  bool everything, const std::set<std::string>& pending_gates, WorkingSet& work);

 private:
  void FailOnAnomalies();
  // Every approval of the timed workflow ends (decided, or timed out) within kTimersWithin of
  // the restart. None is requested after it (workflow.h), so from then on the pending set holds
  // still while the checks read it.
  void AwaitTimedApprovalsEnd(ApiClient& api);
  // Adds to the ledger every run the server or the target can name: runs listed as running or
  // waiting, runs of pending approvals (not gates: their runs are the gates' own), runs in the
  // target's keys.
  void DiscoverRuns(ApiClient& api);
  std::set<std::string> RunsToCheck(std::mt19937_64& random, bool everything);
  // GET /v1/runs/{id} until the run has finished or waits for an approval (bounded).
  boost::json::value Settle(ApiClient& api, const std::string& run_id);
  // The snapshot a reviewer connecting now gets, GET /v1/approvals?status=pending and the runs'
  // own pending approvals with the pending gates must be the same set. Returns it without the
  // gates (approval id -> run id).
  std::map<std::string, std::string> CheckPendingAgree(
      ApiClient& api, uint16_t port, const std::string& token,
      const std::map<std::string, boost::json::value>& views,
      const std::set<std::string>& pending_gates);
  // The runs-by-status index (what recovery resumes from) agrees with the logs: once every
  // run has settled, none is listed as running and the waiting ones are listed as waiting.
  void CheckStatusIndexAgrees(ApiClient& api, const std::map<std::string, boost::json::value>& views);
  // Every acknowledged decision of these approvals has exactly one audit entry
  // (GET /v1/audit?approval=), saying the same decision.
  void CheckDecisionsAudited(ApiClient& api, const std::vector<std::string>& approval_ids);
  // Global: one run per acknowledged key and per tag, at most one acknowledged decision.
  void CheckAcknowledgedIdentities();
  // Every acknowledged user is listed; the tokens of the latest round's users, and of a few
  // older ones, still sign in as them.
  void CheckUsers(ApiClient& api, uint16_t port, std::mt19937_64& random);

  Ledger& ledger_;
  const SideEffectTarget& target_;
  size_t anomalies_seen_ = 0;
};

}  // namespace assent::testing::kill_loop
