// Load: the mixed client load of one round against a running server, from several threads until
// the server is killed under it. REST workers start runs (with and without approvals, with and
// without an Idempotency-Key, some keys repeated, some with ?wait=, some keyed ones through the
// workflow's inbound webhook with the key as delivery id), decide approvals, comment,
// cancel, retry failed runs and add users (each with a first token); WebSocket reviewers decide and comment over
// /v1/stream. Everything acknowledged goes into the Ledger; an error after the kill is a cut-off
// request, never a failure.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/value.hpp>

#include "tests/e2e/kill_loop/ledger.h"
#include "tests/support/api_client.h"

namespace assent::testing::kill_loop {

// What the load picks its targets from, carried from round to round (runs from earlier rounds
// are decided, commented on and cancelled in later ones). The checker refreshes it from what
// the restarted server shows.
struct WorkingSet {
  std::map<std::string, std::string> pending;  // approval id -> run id, believed pending
  std::vector<std::string> open_runs;          // believed not finished: cancel candidates
  std::vector<std::string> failed_runs;        // seen failed: retry candidates
  std::vector<std::string> approvals;          // any status: comment targets
  std::vector<std::string> hot_approvals;      // the first few seen: half the comments
  std::vector<StartIntent> keyed_starts;       // to repeat
};

class Load {
 public:
  Load(uint16_t port, std::string token, int round, uint64_t seed, Ledger& ledger,
       WorkingSet& work);
  ~Load();  // joins the threads; call MarkKilled() and kill the server first

  void Start();
  // Waits (bounded) until the round has `acks` acknowledgements; false when time ran out.
  bool AwaitAcks(int acks, std::chrono::milliseconds timeout);
  // Call just before the SIGKILL: from then on a failed request is a cut-off one.
  void MarkKilled();
  void Join();

 private:
  void RestWorker(int index);
  void Reviewer(int index);
  void StartOne(ApiClient& api, std::mt19937_64& random, const std::string& name);
  void DecideOverRest(ApiClient& api, std::mt19937_64& random, const std::string& name);
  void CommentOverRest(ApiClient& api, std::mt19937_64& random, const std::string& name);
  void CancelOne(ApiClient& api, std::mt19937_64& random);
  void RetryOne(ApiClient& api, std::mt19937_64& random);
  void AddUser(ApiClient& api, const std::string& name);
  // Reads (bounded) until the answer to `req`, learning from the notifications before it.
  boost::json::value ReadAnswer(StreamClient& ws, const std::string& req);
  // After a thread's request failed: a cut-off request after the kill, an anomaly before it.
  void OnClientError(const std::string& who, const std::exception& error);
  void Acked();
  std::string Unexpected(const std::string& what, const HttpReply& reply) const;

  // --- The working set, under mutex_. ---
  bool PickPending(std::mt19937_64& random, std::string* approval_id, std::string* run_id,
                   bool reviewer);
  bool PickApproval(std::mt19937_64& random, std::string* approval_id);
  bool PickOpenRun(std::mt19937_64& random, std::string* run_id);
  // Takes a failed run out of the set: each is retried at most once a round.
  bool TakeFailedRun(std::mt19937_64& random, std::string* run_id);
  bool PickKeyedStart(std::mt19937_64& random, StartIntent* intent);
  void AddPending(const std::string& approval_id, const std::string& run_id);
  void NoLongerPending(const std::string& approval_id);
  void AddOpenRun(const std::string& run_id);
  void NoLongerOpen(const std::string& run_id);
  void AddKeyedStart(const StartIntent& intent);
  // Adds what a run view shows (its pending approvals) to the working set and the ledger.
  void Learn(const boost::json::value& run);
  // The same for one pending approval a stream message shows, unless it is an outside agent's
  // gate (gates.h).
  void LearnPending(const boost::json::value& approval);

  const uint16_t port_;
  const std::string token_;
  const int round_;
  const uint64_t seed_;
  Ledger& ledger_;

  std::mutex mutex_;
  std::condition_variable changed_;
  WorkingSet& work_;
  int acks_ = 0;
  uint64_t approvals_added_ = 0;  // wakes reviewers waiting for something to decide
  std::atomic<bool> killed_{false};
  std::vector<std::thread> threads_;
};

}  // namespace assent::testing::kill_loop
