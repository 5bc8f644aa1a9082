// assent-bench catchup: a reviewer who reconnects after missing `missed` approval messages.
//
// A reviewer connects, notes the snapshot's cursor and disconnects; `missed` W1 runs that need
// an approval are started (a live watcher confirms each approval.requested went out); then the
// reviewer reconnects with ?since=<cursor>, `rounds` times. Each round is timed from the TCP
// connect to the last missed message read, and checked: exactly the missed cursors, in order,
// no gap, no duplicate.
#pragma once

namespace assent::bench {

struct CatchupFlags {
  int missed = 10'000;
  int rounds = 5;
  int concurrency = 16;  // clients starting the runs
};

// Prints the figures and a RESULT_JSON line; returns the process exit code.
int RunCatchupMode(const CatchupFlags& flags);

}  // namespace assent::bench
