// Ledger: what the server acknowledged (2xx answers, WebSocket acks) and what it said, across
// every round. Only acknowledged facts are promises the checker holds the server to; a request
// the kill cut off may or may not have happened. The ledger also keeps every run and approval
// id the server mentioned, acknowledged or not, so the checker can find runs that exist without
// an acknowledgement (a start whose answer the kill cut off).
//
// The load's threads record concurrently (every method locks); the checker reads the accessors
// only between rounds, when no load runs.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace assent::testing::kill_loop {

// What a start sends: the input and, optionally, an Idempotency-Key. A repeated keyed start
// sends the same intent again.
struct StartIntent {
  std::string tag;  // unique per logical start; names its side effects
  int amount = 0;
  std::string key;  // empty: no Idempotency-Key
};

struct RunFacts {
  std::string tag;                 // from an acknowledged start; empty when only mentioned
  int acked_in_round = 0;             // 0: no start of this run was acknowledged
  std::set<std::string> finished_as;  // finished statuses acknowledged answers showed
  int cancel_acked_in_round = 0;      // 0: no cancel acknowledged
  int retries_acked = 0;              // acknowledged POST /v1/runs/{id}/retry of it
  // The checker saw it finished; finished runs stay so, but for a failed one retried.
  bool verified_finished = false;
};

struct DecisionFact {
  std::string decision;  // "approve" or "reject"
  std::string comment;
  std::string via;       // "rest" or "ws"
  int round = 0;
  bool edited = false;   // approved with {"amount": kEditedAmount} as its edits
};

// A user the server acknowledged adding, with the first token it answered.
struct UserFact {
  std::string token;
  int round = 0;
};

struct CommentFact {
  std::string text;  // unique per comment sent
  std::string via;
  int round = 0;
};

struct ApprovalFacts {
  std::string run_id;
  std::vector<DecisionFact> decisions;  // acknowledged; more than one is a defect
  std::vector<CommentFact> comments;    // acknowledged
};

// What one round got acknowledged, for its report line.
struct RoundCounts {
  int starts = 0, keyed = 0, repeated = 0, waited = 0;
  int rest_decisions = 0, ws_decisions = 0, rest_comments = 0, ws_comments = 0, cancels = 0;
  int retries = 0;
  int users = 0;
  int conflicts = 0;  // 409s: decisions on decided approvals, cancels of finished runs
  int cut_off = 0;    // requests the kill left without an answer
  int acks() const {
    return starts + rest_decisions + ws_decisions + rest_comments + ws_comments + cancels +
           retries + users;
  }
};

class Ledger {
 public:
  void BeginRound(int round);

  // Before a start is sent: the checker accepts only runs whose input the test sent.
  void Intend(const StartIntent& intent);
  void AckStart(const std::string& run_id, const StartIntent& intent, bool repeat, bool waited,
                const std::string& finished_as);
  void AckDecision(const std::string& approval_id, const std::string& run_id,
                   const DecisionFact& decision);
  void AckComment(const std::string& approval_id, const std::string& run_id,
                  const CommentFact& comment);
  void AckCancel(const std::string& run_id);
  // A retry of a failed run on its way: if the kill cuts its answer off it may still have
  // committed, so from now on the run is no longer known to have finished.
  void RetrySent(const std::string& run_id);
  void AckRetry(const std::string& run_id);
  void AckUser(const std::string& user_id, const std::string& token);
  void Conflict();
  void CutOff();
  // Ids the server mentioned without acknowledging anything about them.
  void SawRun(const std::string& run_id);
  void SawApproval(const std::string& approval_id, const std::string& run_id);
  // An answer the server should never give (e.g. 404 for an id it handed out, 500): the
  // checker fails the round on it.
  void Anomaly(const std::string& what);

  // --- For the checker, between rounds. ---
  const std::map<std::string, RunFacts>& runs() const { return runs_; }
  const std::map<std::string, ApprovalFacts>& approvals() const { return approvals_; }
  const std::map<std::string, StartIntent>& intents() const { return intents_; }  // by tag
  const std::map<std::string, UserFact>& users() const { return users_; }  // by user id
  // Idempotency-Key -> every run id an acknowledged start with that key named.
  const std::map<std::string, std::set<std::string>>& runs_by_key() const { return by_key_; }
  // Tag -> every run id an acknowledged start with that tag named.
  const std::map<std::string, std::set<std::string>>& runs_by_tag() const { return by_tag_; }
  const std::vector<std::string>& anomalies() const { return anomalies_; }
  const RoundCounts& counts() const { return counts_; }
  // Runs with anything new since the last TakeTouched().
  std::set<std::string> TakeTouched();
  void MarkFinished(const std::string& run_id) { runs_[run_id].verified_finished = true; }

 private:
  RunFacts& Touch(const std::string& run_id);  // with mutex_ held

  std::mutex mutex_;
  int round_ = 0;
  RoundCounts counts_;
  std::map<std::string, RunFacts> runs_;
  std::map<std::string, ApprovalFacts> approvals_;
  std::map<std::string, StartIntent> intents_;
  std::map<std::string, UserFact> users_;
  std::map<std::string, std::set<std::string>> by_key_;
  std::map<std::string, std::set<std::string>> by_tag_;
  std::set<std::string> touched_;
  std::vector<std::string> anomalies_;
};

}  // namespace assent::testing::kill_loop
