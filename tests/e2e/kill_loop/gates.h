// Gates for outside agents in the kill loop. Each round a gate agent (a service account) opens
// gates (POST /v1/gates), a third of them with an Idempotency-Key and some of those again, and
// the admin decides some of the pending ones, with edits or with feedback, until the SIGKILL.
// Every acknowledged open and decision is a promise CheckGates holds the restarted server to:
// the gate is there, as opened, once per key, decided as acknowledged, audited, and a keyed
// open repeated after the restart answers with the same gate.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/api_client.h"

namespace assent::testing::kill_loop {

// The service account that opens the gates; the admin decides them (whoever opens a gate may
// not decide it).
inline constexpr const char* kGateAgent = "gate-agent";

struct GateFacts {
  std::string tag;       // unique per logical open: the gate's title and context name it
  std::string key;       // its Idempotency-Key; empty: none
  int round = 0;         // when its open was first acknowledged
  std::string decision;  // the acknowledged decision ("approve", "reject"); empty: none
  std::string comment;
  bool edited = false;   // approved with {"amount": kGateEditedAmount}
  bool closed = false;   // decided, acknowledged or not: the agent decides it no more
  bool settled = false;  // a check saw it decided as acknowledged: a decided gate stays so
};

class GateLedger {
 public:
  void AckOpen(const std::string& gate_id, const GateFacts& facts);
  // A pending gate the server shows whose open the kill cut off: held to as opened from now on
  // (without a key: which one it had, if any, is not known).
  void Found(const std::string& gate_id, const GateFacts& facts);
  void AckDecision(const std::string& gate_id, const std::string& decision,
                   const std::string& comment, bool edited);
  // A decision answered 409: one the kill cut off was taken.
  void Closed(const std::string& gate_id);
  void Settled(const std::string& gate_id);
  void Anomaly(const std::string& what);

  // For the load and the checks; copies, under the lock.
  std::map<std::string, GateFacts> gates() const;
  std::map<std::string, std::string> gate_by_key() const;  // of acknowledged keyed opens
  std::vector<std::string> TakeAnomalies();
  int opened_in_round(int round) const;
  int decided_in_round(int round) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, GateFacts> gates_;
  std::map<std::string, std::string> by_key_;
  std::map<int, int> opened_;   // round -> acknowledged opens
  std::map<int, int> decided_;  // round -> acknowledged decisions
  std::vector<std::string> anomalies_;
};

class GateAgent {
 public:
  GateAgent(uint16_t port, std::string agent_token, std::string admin_token, int round,
            uint64_t seed, GateLedger& ledger);
  ~GateAgent();  // joins; call MarkKilled() and kill the server first

  void Start();
  void MarkKilled() { killed_ = true; }
  void Join();

 private:
  void Work();
  void Open(ApiClient& agent, std::mt19937_64& random, int n);
  void Decide(ApiClient& admin, std::mt19937_64& random, const std::string& gate_id);

  const uint16_t port_;
  const std::string agent_token_;
  const std::string admin_token_;
  const int round_;
  const uint64_t seed_;
  GateLedger& ledger_;
  std::atomic<bool> killed_{false};
  std::thread thread_;
};

// Checks every acknowledged gate against the restarted server (see the top of this file) and
// returns the ids of those still pending, which the reviewers' snapshot and the approvals
// index must hold too. A gate seen decided before is checked again only when `everything` (the
// last round), as finished runs are. A pending gate whose open the kill cut off joins `ledger`
// as opened in `round`. Throws CheckFailed.
std::set<std::string> CheckGates(uint16_t port, const std::string& agent_token,
                                 const std::string& admin_token, int round, bool everything,
                                 GateLedger& ledger);

}  // namespace assent::testing::kill_loop
