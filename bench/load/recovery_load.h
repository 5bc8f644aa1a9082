// assent-bench recovery: how fast the real server starts over a large log, and how much memory
// it holds, when half the runs wait for an approval.
//
// (a) Fill: an in-process Engine on DIR/data runs W1 without deciding any approval, so half the
//     runs end waiting and half completed (skipped when DIR/fill.json says DIR is filled).
// (b) The engine is closed; (c) `assent serve` starts on DIR/data and the time from spawn to
//     its "listening on" line is the startup recovery; its RSS is read then and after 2 s idle.
// (d) Over REST, a sample of waiting runs must be waiting and deciding one must complete it;
//     a reviewer stream's snapshot must list every other waiting run's approval.
#pragma once

#include <string>

namespace assent::bench {

struct RecoveryFlags {
  int runs = 1'000'000;
  int concurrency = 256;     // runs in flight during the fill
  std::string data_dir;      // empty: a temp dir
  bool keep = false;         // keep the temp dir (a --data dir is always kept)
  std::string approval_timeout;  // W1's approval "timeout" ("30d": a pending timer per
                                 // waiting run); empty: none
};

// Prints the figures and a RESULT_JSON line; returns the process exit code.
int RunRecoveryMode(const RecoveryFlags& flags);

}  // namespace assent::bench
