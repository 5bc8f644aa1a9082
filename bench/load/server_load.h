// Drives W1 through a running Assent server like real clients would: `concurrency` keep-alive
// HTTP connections each keep one run in flight (start it with ?wait, so the answer is the
// finished run, and check its result), and
// one reviewer decides every approval it receives over the /v1/stream WebSocket, like a
// dashboard. Single-threaded (one io_context), so the driver costs as little CPU as it can.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/load/latency.h"

namespace assent::bench {

struct PhaseReport {
  int runs = 0;
  double seconds = 0;
  Latency end_to_end;          // start request sent -> finished run received and checked
  Latency notified;            // start request sent -> approval.requested reached the reviewer
  Latency resumed;             // decide sent -> ack (the run resumed and is durable again)
  std::vector<std::string> errors;
};

// For one decided approval: when its run's start request was sent and when the reviewer sent
// its decision (steady-clock milliseconds, as Latency samples are measured), and where.
struct ApprovalTiming {
  double start_sent_ms = 0;
  double decide_sent_ms = 0;
  int workflow = 0;  // which of SpreadOver's workflows its run was started on (0 without it)
};
using ApprovalTimings = std::unordered_map<std::string, ApprovalTiming>;  // by approval id

class ServerLoad {
 public:
  ServerLoad(uint16_t port, std::string token, int concurrency);
  ~ServerLoad();

  // Applies W1 and connects the reviewer. Throws std::runtime_error when the server refuses.
  void Prepare();
  // Paces starts at `runs_per_s` (start k of a phase is due k / runs_per_s after its
  // beginning, on a timer), still with at most `concurrency` in flight. 0: unpaced (default).
  void SetRate(double runs_per_s);
  // Before Prepare: act as a user of W1's editors group, with the user's own token, rather
  // than as the admin (token given to the constructor, which Prepare uses to make the user).
  void AsUser();
  // Before Prepare: W1's approval gets this "timeout" ("1h"), so every approval run arms a
  // durable timer and its decision disarms it.
  void WithApprovalTimeout(std::string timeout);
  // Starts run k on workflows[(k / 2) % workflows.size()] rather than on W1: each workflow
  // gets an equal share of the approval runs (the even k). The caller applies them, each W1's
  // definition under its own name, and the load's reviewer must be allowed to decide them all.
  void SpreadOver(std::vector<std::string> workflows);
  // When set, each phase adds the timing of every approval it decides to `*sink`.
  void RecordApprovals(ApprovalTimings* sink);
  // Runs runs [first, first + count) to completion.
  PhaseReport RunPhase(int first, int count);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace assent::bench
