#include "bench/load/fanout_load.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/json/serialize.hpp>

#include "bench/load/fanout_audience.h"
#include "bench/load/process_stats.h"
#include "bench/load/server_load.h"
#include "bench/load/stream_watchers.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace assent::bench {
namespace {

namespace json = boost::json;
using tcp = boost::asio::ip::tcp;

constexpr const char* kToken = "bench-token";
constexpr long kSpareFiles = 256;  // besides one per connection: RocksDB files, pipes, listener
constexpr auto kDrainQuiet = std::chrono::seconds(1);  // no new event for this long: done
constexpr auto kDrainMax = std::chrono::seconds(15);
// The load's run connections and its reviewer's stream sit idle between the phases while the
// watchers connect, one after another: on a loaded machine 1,000 can take longer than the
// server's defaults (30 s for a connection, 60 s for a stream that answers no ping).
constexpr const char* kIdleTimeout = "600s";

struct Phase {
  PhaseReport report;
  double server_cpu_s = 0;
  double client_cpu_s = 0;  // this process: the W1 driver, its reviewer and the watchers
};

Phase MeasurePhase(ServerLoad& load, pid_t server, int first, int count) {
  Phase phase;
  double server_before = CpuSeconds(server), client_before = CpuSeconds(getpid());
  phase.report = load.RunPhase(first, count);
  phase.server_cpu_s = CpuSeconds(server) - server_before;
  phase.client_cpu_s = CpuSeconds(getpid()) - client_before;
  return phase;
}

// Every connection needs a descriptor on both sides; a server started from here inherits the
// raised limit.
void CheckFileLimits(long needed, pid_t server) {
  long ours = RaiseOpenFilesLimit();
  if (ours >= 0 && ours < needed) {
    std::printf("WARNING: this process may open %ld files; about %ld are needed\n", ours, needed);
  }
  long theirs = OpenFilesLimit(server);
  if (theirs >= 0 && theirs < needed) {
    std::printf("WARNING: the server may open %ld files; about %ld are needed\n", theirs, needed);
  }
}

// Waits until the watchers have `expected` events, or none came for kDrainQuiet.
void WaitForDeliveries(const StreamWatchers& watchers, long expected) {
  auto deadline = std::chrono::steady_clock::now() + kDrainMax;
  auto quiet_since = std::chrono::steady_clock::now();
  long seen = watchers.events_received();
  while (seen < expected && std::chrono::steady_clock::now() < deadline &&
         std::chrono::steady_clock::now() - quiet_since < kDrainQuiet) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    long now_seen = watchers.events_received();
    if (now_seen != seen) quiet_since = std::chrono::steady_clock::now();
    seen = now_seen;
  }
}

// Events the watchers must receive: 2 per decided approval per watcher that may see it.
long ExpectedDeliveries(const ApprovalTimings& timings, const FanoutAudience& audience,
                        int watchers) {
  std::vector<long> per_workflow(audience.workflows.size(), 0);
  for (int w = 0; w < watchers; ++w) {
    for (size_t k = 0; k < per_workflow.size(); ++k) {
      if (audience.MaySee(w, static_cast<int>(k))) per_workflow[k] += 2;
    }
  }
  long expected = 0;
  for (const auto& [id, timing] : timings) expected += per_workflow[timing.workflow];
  return expected;
}

struct Deliveries {
  long expected = 0;  // ExpectedDeliveries
  long missing_requested = 0;
  long missing_decided = 0;
  long wrong = 0;            // events a watcher received that it may not see
  int watchers_missing = 0;  // watchers that missed at least one event
  Latency requested;         // start request sent -> watcher has approval.requested
  Latency decided;           // decision sent -> watcher has approval.decided
};

Deliveries Analyze(const ApprovalTimings& timings, const FanoutAudience& audience,
                   const StreamWatchers& watchers) {
  Deliveries out;
  out.expected = ExpectedDeliveries(timings, audience, watchers.count());
  std::vector<bool> missed(watchers.count(), false);
  for (const auto& [id, timing] : timings) {
    const StreamWatchers::Receipts* receipts = watchers.Find(id);
    for (int w = 0; w < watchers.count(); ++w) {
      double requested = receipts ? receipts->requested[w] : NAN;
      double decided = receipts ? receipts->decided[w] : NAN;
      if (!audience.MaySee(w, timing.workflow)) {
        out.wrong += (std::isnan(requested) ? 0 : 1) + (std::isnan(decided) ? 0 : 1);
        continue;
      }
      if (std::isnan(requested)) ++out.missing_requested;
      else out.requested.Add(requested - timing.start_sent_ms);
      if (std::isnan(decided)) ++out.missing_decided;
      else out.decided.Add(decided - timing.decide_sent_ms);
      if (std::isnan(requested) || std::isnan(decided)) missed[w] = true;
    }
  }
  for (bool m : missed) out.watchers_missing += m ? 1 : 0;
  return out;
}

void PrintPhase(const char* name, Phase& phase) {
  PhaseReport& r = phase.report;
  std::printf("  %-22s %.0f runs/s, end-to-end %s, server CPU %.0f%%, client CPU %.0f%%\n", name,
              r.runs / r.seconds, r.end_to_end.Summary({50, 99}).c_str(),
              100 * phase.server_cpu_s / r.seconds, 100 * phase.client_cpu_s / r.seconds);
  for (const std::string& error : r.errors) std::printf("  ERROR %s\n", error.c_str());
}

}  // namespace

int RunFanoutMode(const FanoutFlags& flags) {
  double runs_per_s = 2 * flags.approvals_per_s;  // every other W1 run needs an approval
  int runs = static_cast<int>(std::llround(runs_per_s * flags.seconds));
  long files_needed = flags.watchers + flags.concurrency + kSpareFiles;
  RaiseOpenFilesLimit();  // before the server starts, so that it inherits the limit

  testing::TempDir data;
  auto server =
      testing::ServerProcess::Serve(data.str(), kToken, {"--idle-timeout", kIdleTimeout,
                                                         "--stream-idle-timeout", kIdleTimeout});
  CheckFileLimits(files_needed, server->pid());
  tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), server->port());
  std::string bearer = std::string("Bearer ") + kToken;

  // Setup, before either phase and timed apart: each user added is a synced commit.
  auto setup_begin = std::chrono::steady_clock::now();
  FanoutAudience audience =
      flags.groups > 0
          ? InGroups(endpoint, bearer, flags.watchers, flags.groups, flags.concurrency)
          : EveryoneAsAdmin(bearer, flags.watchers);
  std::chrono::duration<double> setup = std::chrono::steady_clock::now() - setup_begin;
  ServerLoad load(server->port(), kToken, flags.concurrency);
  load.SpreadOver(audience.workflows);
  load.Prepare();
  load.SetRate(runs_per_s);
  std::printf("fan-out: W1 paced at %.0f runs/s (every other run needs an approval: %.0f "
              "approvals/s) over %zu workflow(s), %d runs per phase, %d in flight at most\n",
              runs_per_s, flags.approvals_per_s, audience.workflows.size(), runs,
              flags.concurrency);
  if (flags.groups > 0) {
    std::printf("fan-out: %d users in %d groups, each with its own token, added in %.2f s "
                "(%d at a time; not in the phases)\n",
                flags.watchers, flags.groups, setup.count(), flags.concurrency);
  }
  Phase baseline = MeasurePhase(load, server->pid(), 0, runs);

  auto connect_begin = std::chrono::steady_clock::now();
  StreamWatchers watchers(endpoint, audience.bearers);
  std::chrono::duration<double> connecting = std::chrono::steady_clock::now() - connect_begin;
  watchers.Start();
  ApprovalTimings timings;
  load.RecordApprovals(&timings);
  Phase fanout = MeasurePhase(load, server->pid(), runs, runs);
  WaitForDeliveries(watchers, ExpectedDeliveries(timings, audience, watchers.count()));
  watchers.Stop();
  Deliveries deliveries = Analyze(timings, audience, watchers);
  double approvals_per_s = timings.size() / fanout.report.seconds;
  long missing = deliveries.missing_requested + deliveries.missing_decided;

  std::string in_groups =
      flags.groups > 0 ? " in " + std::to_string(flags.groups) + " groups" : std::string();
  std::printf("fan-out: %d watchers%s (connected in %.2f s, one after another), %.0f "
              "approvals/s achieved (target %.0f), %.2f s\n",
              flags.watchers, in_groups.c_str(), connecting.count(), approvals_per_s,
              flags.approvals_per_s, fanout.report.seconds);
  PrintPhase("W1 without watchers", baseline);
  PrintPhase("W1 with watchers", fanout);
  std::printf("  deliveries             %ld of %ld (missing: %ld requested, %ld decided; %d "
              "watchers missed some; %d closed; %ld duplicates); wrong: %ld\n",
              deliveries.expected - missing, deliveries.expected, deliveries.missing_requested,
              deliveries.missing_decided, deliveries.watchers_missing, watchers.closed(),
              watchers.duplicates(), deliveries.wrong);
  for (const std::string& reason : watchers.close_reasons()) {
    std::printf("  closed: %s\n", reason.c_str());
  }
  std::printf("  watcher requested      %s   (start sent -> watcher has it)\n",
              deliveries.requested.Summary({50, 99}).c_str());
  std::printf("  watcher decided        %s   (decide sent -> watcher has it)\n",
              deliveries.decided.Summary({50, 99}).c_str());

  PhaseReport& r = fanout.report;
  json::object result{{"mode", "fanout"},
                      {"watchers", flags.watchers},
                      {"groups", flags.groups},
                      {"approvals_per_s_target", flags.approvals_per_s},
                      {"approvals_per_s", approvals_per_s},
                      {"runs_per_s", r.runs / r.seconds},
                      {"e2e_p99_ms", r.end_to_end.Percentile(99)},
                      {"baseline_runs_per_s", baseline.report.runs / baseline.report.seconds},
                      {"baseline_e2e_p99_ms", baseline.report.end_to_end.Percentile(99)},
                      {"expected_deliveries", deliveries.expected},
                      {"missing_deliveries", missing},
                      {"wrong_deliveries", deliveries.wrong},
                      {"watchers_closed", watchers.closed()},
                      {"watcher_requested_p50_ms", deliveries.requested.Percentile(50)},
                      {"watcher_requested_p99_ms", deliveries.requested.Percentile(99)},
                      {"watcher_decided_p50_ms", deliveries.decided.Percentile(50)},
                      {"watcher_decided_p99_ms", deliveries.decided.Percentile(99)},
                      {"server_cpu_pct", 100 * fanout.server_cpu_s / r.seconds},
                      {"client_cpu_pct", 100 * fanout.client_cpu_s / r.seconds},
                      {"baseline_server_cpu_pct", 100 * baseline.server_cpu_s / baseline.report.seconds},
                      {"errors", baseline.report.errors.size() + r.errors.size()}};
  std::printf("RESULT_JSON %s\n", json::serialize(result).c_str());
  bool ok = missing == 0 && deliveries.wrong == 0 && baseline.report.errors.empty() &&
            r.errors.empty();
  return ok ? 0 : 1;
}

}  // namespace assent::bench
