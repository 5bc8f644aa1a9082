// assent-bench fanout: many reviewer connections each receiving every approval event it may see
// while W1 runs at a paced rate through the same server.
//
// W1 is started at 2x the target approval rate (every other W1 run needs an approval), with the
// usual deciding reviewer (the admin). First a baseline phase without watchers, then the same
// phase with `watchers` passive stream connections. Without groups every watcher is the admin
// and must receive every approval.requested and approval.decided of that phase. With `groups`
// (fanout_audience.h) the runs are spread over one copy of W1 per group and each watcher is a
// user of one group with its own token: it must receive every event of its group's workflow
// and none of another's (counted as wrong deliveries). Watcher delivery latency is measured
// from what the client sent: approval.requested from its run's start request,
// approval.decided from the decision (the same reference as the server mode's "start ->
// notified").
#pragma once

namespace assent::bench {

struct FanoutFlags {
  int watchers = 1000;
  double approvals_per_s = 1000;
  double seconds = 10;  // per phase
  // Approval runs wait for the deciding reviewer, who hears of them up to one hub window
  // (50 ms with 1,000 streams) late: at 1,000 approvals/s about 100 runs are in flight.
  int concurrency = 256;
  int groups = 0;  // 0: no groups, every watcher is the admin
};

// Prints the figures and a RESULT_JSON line; returns the process exit code.
int RunFanoutMode(const FanoutFlags& flags);

}  // namespace assent::bench
