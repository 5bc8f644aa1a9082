// assent-bench hub: the reviewers' hub (api/stream_hub.h) fanning approvals out to `watchers`
// reviewers in `groups` groups, each seeing a different share, at a paced rate.
//
// The hub alone, in-process: the share is decided by a stand-in visibility rule (reviewer r is
// in group r % groups and sees the approvals whose step is named after its group; approval n
// goes to group n % groups) and the reviewers are in-process sinks, so this measures the hub's
// filtering, per-group framing and hand-over, with no engine, access lists or sockets. `fanout
// --groups` measures the same shape end to end: real users in groups, their own tokens, the
// engine's access rules and one socket per reviewer. Every reviewer must get every approval of
// its group, in cursor order, and none of another group.
#pragma once

namespace assent::bench {

struct HubFanoutFlags {
  int watchers = 1000;
  int groups = 10;
  double approvals_per_s = 1000;
  double seconds = 10;
};

// Prints the figures and a RESULT_JSON line; returns the process exit code.
int RunHubFanoutMode(const HubFanoutFlags& flags);

}  // namespace assent::bench
