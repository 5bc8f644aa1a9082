// assent-bench: the W1 load generator.
//
//   assent-bench server   [--runs N] [--warmup N] [--concurrency C] [--port P --token T]
//                         [--as-user]
//   assent-bench embedded [--runs N] [--warmup N] [--concurrency C]
//   assent-bench recovery [--runs N] [--concurrency C] [--data DIR] [--keep]
//   assent-bench fanout   [--watchers N] [--approvals-per-s A] [--seconds S] [--concurrency C]
//                         [--groups G]
//   assent-bench catchup  [--missed N] [--rounds R] [--concurrency C]
//   assent-bench hub      [--watchers N] [--groups G] [--approvals-per-s A] [--seconds S]
//   assent-bench burst    [--runs N] [--bound A --bound-b B] [--rounds R] [--workers W]
//
// `server` starts `assent serve` on a temp data dir (or uses the server on 127.0.0.1:P) and
// drives it over HTTP and the WebSocket; `embedded` runs the engine in this process on a temp
// data dir. Both print runs/s, latencies, CPU per run and fsyncs per run (counted by the
// kernel through perf). `recovery` (recovery_load.h) measures the server's startup and memory
// over a log of N runs, half waiting; `fanout` (fanout_load.h) many reviewer connections
// receiving every approval event they may see (all, or with --groups their group's share)
// under paced W1 load; `catchup` (catchup_load.h) a reviewer
// reconnecting with its cursor after missing N messages; `hub` (hub_fanout_load.h) the
// reviewers' hub alone, reviewers in groups that each see their share. All end with a `RESULT_JSON {...}` line
// for scripts.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include <boost/json/serialize.hpp>

#include "bench/load/burst_load.h"
#include "bench/load/catchup_load.h"
#include "bench/load/embedded_load.h"
#include "bench/load/fanout_load.h"
#include "bench/load/hub_fanout_load.h"
#include "bench/load/process_stats.h"
#include "bench/load/recovery_load.h"
#include "bench/load/server_load.h"
#include "bench/load/w1.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace assent::bench {
namespace {

struct Flags {
  std::string mode;
  int runs = 20000;
  int warmup = 2000;
  int concurrency = 64;
  int rate = 0;  // server: runs started per second (open loop); 0: as fast as answers come
  int port = 0;
  std::string token;
  std::string data;  // recovery
  bool keep = false;
  bool as_user = false;  // server: act as a user of W1's editors, not the admin
  std::string approval_timeout;  // server: W1's approval "timeout"; empty: none
  int watchers = 1000;  // fanout
  int approvals_per_s = 1000;
  int seconds = 10;
  int missed = 10'000;  // catchup
  int rounds = 5;
  int groups = 10;  // hub; fanout: 0 unless given (every watcher the admin)
  int bound = 8;  // burst
  int bound_b = 1'000;
  int workers = 4;
};

// The flags each mode takes.
const std::map<std::string, std::set<std::string>> kModeFlags{
    {"server",
     {"--runs", "--warmup", "--concurrency", "--rate", "--port", "--token", "--as-user",
      "--approval-timeout"}},
    {"embedded", {"--runs", "--warmup", "--concurrency"}},
    {"recovery", {"--runs", "--concurrency", "--data", "--keep", "--approval-timeout"}},
    {"fanout", {"--watchers", "--approvals-per-s", "--seconds", "--concurrency", "--groups"}},
    {"catchup", {"--missed", "--rounds", "--concurrency"}},
    {"hub", {"--watchers", "--groups", "--approvals-per-s", "--seconds"}},
    {"burst", {"--runs", "--bound", "--bound-b", "--rounds", "--workers"}}};

constexpr const char* kUsage =
    "usage: assent-bench server|embedded [--runs N] [--warmup N] [--concurrency C]\n"
    "                    [--rate R]             (server mode: start R runs/s, open loop)\n"
    "                    [--port P --token T]   (server mode: use a running server)\n"
    "                    [--as-user]            (server mode: start and decide as a user of\n"
    "                                            W1's editors, with the user's own token)\n"
    "                    [--approval-timeout D] (server mode: W1's approval times out after D,\n"
    "                                            e.g. 1h: a durable timer per approval run)\n"
    "       assent-bench recovery [--runs 1000000] [--concurrency 256]\n"
    "                    [--data DIR] [--keep]  (a filled DIR is reused)\n"
    "                    [--approval-timeout D] (W1's approvals time out after D: a durable\n"
    "                                            timer per waiting run)\n"
    "       assent-bench fanout [--watchers 1000] [--approvals-per-s 1000]\n"
    "                    [--seconds 10] [--concurrency 256]\n"
    "                    [--groups G]           (watchers are users in G groups, each seeing\n"
    "                                            its own copy of W1; default: all the admin)\n"
    "       assent-bench catchup [--missed 10000] [--rounds 5] [--concurrency 16]\n"
    "       assent-bench hub [--watchers 1000] [--groups 10] [--approvals-per-s 1000]\n"
    "                    [--seconds 10]\n"
    "       assent-bench burst [--runs 1000] [--bound 8] [--bound-b 1000] [--rounds 2]\n"
    "                    [--workers 4]          (runs resumed at once after a SIGKILL, calling\n"
    "                                            one small payee; --http-max-connections-per-\n"
    "                                            host A, then B, A, B...; --bound-b 0: A only)\n";

[[noreturn]] void Usage(const std::string& problem) {
  std::cerr << "assent-bench: " << problem << "\n" << kUsage;
  std::exit(2);
}

[[noreturn]] void Help() {
  std::cout << kUsage;
  std::exit(0);
}

Flags ParseFlags(int argc, char** argv) {
  if (argc < 2) Usage("no mode given");
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-h") Help();
  }
  Flags flags;
  flags.mode = argv[1];
  auto allowed = kModeFlags.find(flags.mode);
  if (allowed == kModeFlags.end()) Usage("unknown mode " + flags.mode);
  if (flags.mode == "recovery") {
    flags.runs = 1'000'000;
    flags.concurrency = 256;
  }
  if (flags.mode == "fanout") {
    flags.concurrency = FanoutFlags{}.concurrency;
    flags.groups = FanoutFlags{}.groups;
  }
  if (flags.mode == "catchup") flags.concurrency = CatchupFlags{}.concurrency;
  if (flags.mode == "burst") {
    flags.runs = BurstFlags{}.runs;
    flags.rounds = BurstFlags{}.rounds;
  }
  std::map<std::string, int*> numbers{{"--runs", &flags.runs},
                                      {"--warmup", &flags.warmup},
                                      {"--concurrency", &flags.concurrency},
                                      {"--port", &flags.port},
                                      {"--watchers", &flags.watchers},
                                      {"--approvals-per-s", &flags.approvals_per_s},
                                      {"--rate", &flags.rate},
                                      {"--seconds", &flags.seconds},
                                      {"--missed", &flags.missed},
                                      {"--rounds", &flags.rounds},
                                      {"--groups", &flags.groups},
                                      {"--bound", &flags.bound},
                                      {"--bound-b", &flags.bound_b},
                                      {"--workers", &flags.workers}};
  for (int i = 2; i < argc; i += 2) {
    std::string name = argv[i];
    if (!allowed->second.contains(name)) Usage(name + " is not a flag of " + flags.mode);
    if (name == "--keep" || name == "--as-user") {
      (name == "--keep" ? flags.keep : flags.as_user) = true;
      --i;  // takes no value
      continue;
    }
    if (i + 1 >= argc) Usage(name + " needs a value");
    if (name == "--token") {
      flags.token = argv[i + 1];
    } else if (name == "--data") {
      flags.data = argv[i + 1];
    } else if (name == "--approval-timeout") {
      flags.approval_timeout = argv[i + 1];
    } else if (auto it = numbers.find(name); it != numbers.end()) {
      char* end = nullptr;
      long value = std::strtol(argv[i + 1], &end, 10);
      if (*end != '\0' || value < 0 || value > 100'000'000) Usage("bad value for " + name);
      *it->second = static_cast<int>(value);
    } else {
      Usage("unknown flag " + name);
    }
  }
  if (flags.runs < 1 || flags.concurrency < 1) Usage("--runs and --concurrency must be >= 1");
  if (flags.watchers < 1 || flags.approvals_per_s < 1 || flags.seconds < 1) {
    Usage("--watchers, --approvals-per-s and --seconds must be >= 1");
  }
  if (flags.missed < 1 || flags.rounds < 1 || (flags.groups < 1 && flags.mode != "fanout")) {
    Usage("--missed, --rounds and --groups must be >= 1");
  }
  if ((flags.port != 0) != !flags.token.empty()) Usage("--port and --token go together");
  return flags;
}

void Report(const Flags& flags, PhaseReport& phase, double cpu_seconds, std::optional<long> syncs,
            const std::string& sync_note) {
  double runs_per_s = phase.runs / phase.seconds;
  double cpu_us_per_run = cpu_seconds * 1e6 / phase.runs;
  std::printf("W1 %s: %d runs, %d in flight, %.2f s\n", flags.mode.c_str(), phase.runs,
              flags.concurrency, phase.seconds);
  std::printf("  throughput          %.0f runs/s\n", runs_per_s);
  std::printf("  end-to-end          %s\n", phase.end_to_end.Summary({50, 90, 99}).c_str());
  std::printf("  start -> notified   %s   (approval runs: start sent -> reviewer has it)\n",
              phase.notified.Summary({50, 99}).c_str());
  std::printf("  decision -> resumed %s   (decide sent -> durable and resumed)\n",
              phase.resumed.Summary({50, 99}).c_str());
  std::printf("  %s CPU      %.1f us/run\n", flags.mode == "server" ? "server" : "process",
              cpu_us_per_run);
  if (syncs) {
    std::printf("  fsyncs              %.3f per run (%ld in the measured phase)\n",
                static_cast<double>(*syncs) / phase.runs, *syncs);
  } else {
    std::printf("  fsyncs              not counted: %s\n", sync_note.c_str());
  }
  for (const std::string& error : phase.errors) std::printf("  ERROR %s\n", error.c_str());

  boost::json::object result{
      {"mode", flags.mode},
      {"runs", phase.runs},
      {"concurrency", flags.concurrency},
      {"seconds", phase.seconds},
      {"runs_per_s", runs_per_s},
      {"e2e_p50_ms", phase.end_to_end.Percentile(50)},
      {"e2e_p90_ms", phase.end_to_end.Percentile(90)},
      {"e2e_p99_ms", phase.end_to_end.Percentile(99)},
      {"notified_p50_ms", phase.notified.Percentile(50)},
      {"notified_p99_ms", phase.notified.Percentile(99)},
      {"resumed_p50_ms", phase.resumed.Percentile(50)},
      {"resumed_p99_ms", phase.resumed.Percentile(99)},
      {"cpu_us_per_run", cpu_us_per_run},
      {"errors", phase.errors.size()}};
  if (syncs) result["fsyncs_per_run"] = static_cast<double>(*syncs) / phase.runs;
  std::printf("RESULT_JSON %s\n", boost::json::serialize(result).c_str());
}

int RunServerMode(const Flags& flags) {
  std::unique_ptr<testing::TempDir> data;
  std::unique_ptr<testing::ServerProcess> server;
  uint16_t port = static_cast<uint16_t>(flags.port);
  std::string token = flags.token;
  if (port == 0) {
    data = std::make_unique<testing::TempDir>();
    token = "bench-token";
    server = testing::ServerProcess::Serve(data->str(), token);
    port = server->port();
  }
  ServerLoad load(port, token, flags.concurrency);
  if (flags.as_user) load.AsUser();
  if (!flags.approval_timeout.empty()) load.WithApprovalTimeout(flags.approval_timeout);
  load.Prepare();
  load.SetRate(flags.rate);
  if (flags.warmup > 0) load.RunPhase(0, flags.warmup);

  std::string sync_note = "attach the counter with --port only when this tool started the server";
  std::unique_ptr<SyncCounter> syncs;
  if (server) syncs = SyncCounter::Start(server->pid(), &sync_note);
  double cpu_before = server ? CpuSeconds(server->pid()) : 0;
  PhaseReport phase = load.RunPhase(flags.warmup, flags.runs);
  double cpu = server ? CpuSeconds(server->pid()) - cpu_before : NAN;
  std::optional<long> sync_count = syncs ? syncs->Stop() : std::nullopt;
  Report(flags, phase, cpu, sync_count, sync_note);
  return phase.errors.empty() ? 0 : 1;
}

int RunEmbeddedMode(const Flags& flags) {
  testing::TempDir data;
  EmbeddedEngine embedded = EmbeddedEngine::Open(data.str());
  engine::Engine& engine = *embedded.engine;
  if (flags.warmup > 0) RunEmbeddedPhase(engine, 0, flags.warmup, flags.concurrency);
  std::string sync_note;
  auto syncs = SyncCounter::Start(getpid(), &sync_note);
  double cpu_before = CpuSeconds(getpid());
  PhaseReport phase = RunEmbeddedPhase(engine, flags.warmup, flags.runs, flags.concurrency);
  double cpu = CpuSeconds(getpid()) - cpu_before;
  std::optional<long> sync_count = syncs ? syncs->Stop() : std::nullopt;
  Report(flags, phase, cpu, sync_count, sync_note);
  return phase.errors.empty() ? 0 : 1;
}

}  // namespace
}  // namespace assent::bench

int main(int argc, char** argv) {
  using namespace assent::bench;
  Flags flags = ParseFlags(argc, argv);
  try {
    if (flags.mode == "recovery") {
      return RunRecoveryMode(
          {flags.runs, flags.concurrency, flags.data, flags.keep, flags.approval_timeout});
    }
    if (flags.mode == "burst") {
      BurstFlags burst;
      burst.runs = flags.runs;
      burst.bounds = {flags.bound};
      if (flags.bound_b != 0) burst.bounds.push_back(flags.bound_b);
      burst.rounds = flags.rounds;
      burst.payee.workers = std::max(1, flags.workers);
      return RunBurstMode(burst);
    }
    if (flags.mode == "hub") {
      return RunHubFanoutMode({flags.watchers, flags.groups,
                               static_cast<double>(flags.approvals_per_s),
                               static_cast<double>(flags.seconds)});
    }
    if (flags.mode == "catchup") {
      return RunCatchupMode({flags.missed, flags.rounds, flags.concurrency});
    }
    if (flags.mode == "fanout") {
      return RunFanoutMode({flags.watchers, static_cast<double>(flags.approvals_per_s),
                            static_cast<double>(flags.seconds), flags.concurrency,
                            flags.groups});
    }
    return flags.mode == "server" ? RunServerMode(flags) : RunEmbeddedMode(flags);
  } catch (const std::exception& error) {
    std::cerr << "assent-bench: " << error.what() << "\n";
    return 1;
  }
}
