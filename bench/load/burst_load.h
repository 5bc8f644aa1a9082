// assent-bench burst: many runs resuming at once after a crash, all calling one small payee
// (small_payee.h), with the server's outbound connections bounded per host at each of
// `bounds` in turn (A B A B ... for `rounds` rounds).
//
// Each round, on a fresh data dir: `assent serve --http-max-connections-per-host B` starts
// `runs` runs of a one-step workflow (an http POST to the payee) while the payee holds every
// request unanswered, so each run's call is under way; the server is SIGKILLed; the payee
// starts answering; the server is started again and recovery resumes every run at once. Timed
// from that spawn until no run is running: how many completed and failed, and the connections
// the payee accepted and held at once.
#pragma once

#include <vector>

#include "bench/load/small_payee.h"

namespace assent::bench {

struct BurstFlags {
  int runs = 1'000;
  std::vector<int> bounds = {8, 1'000};  // --http-max-connections-per-host, alternated
  int rounds = 2;                        // of each bound
  SmallPayeeOptions payee;
};

// Prints the figures and a RESULT_JSON line; returns 1 if a run of the first bound failed or
// did not finish, else 0.
int RunBurstMode(const BurstFlags& flags);

}  // namespace assent::bench
