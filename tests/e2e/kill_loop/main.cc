// kill_loop: rounds of a mixed client load against the real `assent serve`, a SIGKILL at a
// random moment of it, a restart on the same data dir and checks that nothing acknowledged was
// lost or applied twice (see checker.h). The data dir persists across rounds, so runs from
// earlier rounds are decided, commented on and cancelled in later ones.
//
//   kill_loop [--rounds N] [--seed S] [--keep] [--help]
//
// The seed is always printed: --seed replays the same choices (operations, kill delays, target
// failures), though not the same thread interleavings.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>

#include <boost/json/parse.hpp>

#include "tests/e2e/kill_loop/check_failed.h"
#include "tests/e2e/kill_loop/checker.h"
#include "tests/e2e/kill_loop/gates.h"
#include "tests/e2e/kill_loop/ledger.h"
#include "tests/e2e/kill_loop/load.h"
#include "tests/e2e/kill_loop/schedule_check.h"
#include "tests/e2e/kill_loop/side_effects.h"
#include "tests/e2e/kill_loop/webhooks.h"
#include "tests/e2e/kill_loop/workflow.h"
#include "tests/support/api_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace assent::testing::kill_loop {
namespace {

constexpr const char* kToken = "kill-loop-token";
// The kill comes this long after the load has its first acknowledgements: a few hundred
// operations at most, so a round (restart and checks included) takes a few seconds.
constexpr int kMinKillDelayMs = 100;
constexpr int kMaxKillDelayMs = 1200;
constexpr int kAcksBeforeKillDelay = 10;
// How long the checks wait for the webhook deliveries the log calls for after a restart.
constexpr std::chrono::seconds kWebhookBound{30};

struct Options {
  int rounds = 25;
  uint64_t seed = 0;
  bool seed_given = false;
  bool keep = false;
};

constexpr const char* kUsage = R"(usage: kill_loop [--rounds N] [--seed S] [--keep] [--help]

Repeats rounds of: a mixed load (starts with and without approvals, idempotency keys and
?wait=, keyed starts through an inbound webhook; decisions and comments over REST and the
WebSocket; cancels; retries of failed runs; outside agents' gates opened and decided; http
steps against a local target that sometimes answers 500; approvals with a quorum of two and a
1 s timeout that escalates once; a workflow scheduled every minute) against the real
`assent serve`; a SIGKILL at a random moment; a restart on the same data dir; checks that
everything acknowledged is there once, logs have no gaps, runs finish, every timed approval
escalates at most once and ends once (decided or timed out, never both; a vote counts once and
never closes it alone), every side effect used one Idempotency-Key, the pending approvals
streamed on reconnect are those in the log, every acknowledged gate is there as opened and
decided, every fire time started one run, and every approval's webhook notifications
(requested, decided, cancelled, timed out, escalated) and every notify step's message reached a
local receiver, signed.

  --rounds N  rounds to run (default 25)
  --seed S    seed for every random choice (default: random; always printed)
  --keep      keep the data dir (it is always kept after a failure)
)";

bool ParseOptions(int argc, char** argv, Options* options) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else if (arg == "--rounds") {
      options->rounds = std::stoi(value());
      if (options->rounds < 1) throw std::invalid_argument("--rounds must be at least 1");
    } else if (arg == "--seed") {
      options->seed = std::stoull(value());
      options->seed_given = true;
    } else if (arg == "--keep") {
      options->keep = true;
    } else {
      throw std::invalid_argument("unknown argument " + arg);
    }
  }
  return true;
}

// Independent per-round seeds from one seed (splitmix64).
uint64_t RoundSeed(uint64_t seed, int round) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(round);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::string Tail(const std::string& text, size_t bytes = 3000) {
  return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

std::unique_ptr<ServerProcess> Restart(const TempDir& data) {
  try {
    // Webhook retries 50 ms apart at first, so deliveries answered 500 land within the checks.
    // An http step without its own `retry` fails after 3 attempts 200 ms and 400 ms apart, so
    // some runs fail every round (the server's default would retry them for a day).
    return std::make_unique<ServerProcess>(std::vector<std::string>{
        "serve", "--data", data.str(), "--listen", "127.0.0.1:0", "--admin-token", kToken,
        "--notify-retry-initial", "50ms", "--http-max-attempts", "3", "--http-retry-backoff",
        "200ms"});
  } catch (const std::exception& error) {
    throw CheckFailed(std::string("the server did not start on the data dir: ") + error.what());
  }
}

class KillLoop {
 public:
  explicit KillLoop(const Options& options) : options_(options), checker_(ledger_, target_) {}

  int Run() {
    std::cout << "kill_loop: seed " << options_.seed << ", " << options_.rounds
              << " rounds (replay: kill_loop --seed " << options_.seed << " --rounds "
              << options_.rounds << "), data " << data_.str() << std::endl;
    int round = 0;
    try {
      StartServer();
      ApiClient api(server_->port(), kToken);
      HttpReply applied = api.Put(std::string("/v1/workflows/") + kWorkflowName,
                                  boost::json::parse(WorkflowDefinition(
                                      target_.url(), webhooks_.url(), kWebhookSecret)));
      if (applied.status != 200) throw CheckFailed("applying the workflow: " + applied.raw);
      applied = api.Put(std::string("/v1/workflows/") + kTimedWorkflowName,
                        boost::json::parse(TimedWorkflowDefinition(webhooks_.url(), kWebhookSecret)));
      if (applied.status != 200) throw CheckFailed("applying the timed workflow: " + applied.raw);
      schedule_.Apply(api);
      HttpReply agent = api.Post("/v1/users", boost::json::parse(std::string(R"({"id": ")") +
                                                                 kGateAgent +
                                                                 R"(", "service": true})"));
      if (agent.status != 201) throw CheckFailed("adding the gate agent: " + agent.raw);
      gate_agent_token_ = std::string(agent.body.at("token").at("token").as_string());
      auto started = std::chrono::steady_clock::now();
      for (round = 1; round <= options_.rounds; ++round) RunRound(round);
      int status = server_->Terminate();
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw CheckFailed("the server did not exit cleanly on SIGTERM after the last round "
                          "(wait status " + std::to_string(status) + ")");
      }
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::cout << "kill_loop: PASSED " << options_.rounds << " rounds in " << Fixed(seconds)
                << " s (" << Fixed(seconds / options_.rounds) << " s per round), seed "
                << options_.seed << std::endl;
      if (options_.keep) {
        data_.Keep();
        std::cout << "kill_loop: data kept in " << data_.str() << std::endl;
      }
      return 0;
    } catch (const std::exception& error) {
      data_.Keep();
      std::cout << "kill_loop: FAILED in round " << round << " (seed " << options_.seed
                << ", round seed " << RoundSeed(options_.seed, round)
                << "; replay: kill_loop --seed " << options_.seed << " --rounds " << round
                << ")\n  " << error.what() << "\n  data kept in " << data_.str() << std::endl;
      if (server_) std::cout << "server output (tail):\n" << Tail(server_->output()) << std::endl;
      return 1;
    }
  }

 private:
  static std::string Fixed(double value) {
    std::ostringstream out;
    out.precision(1);
    out << std::fixed << value;
    return out.str();
  }

  void StartServer() {
    target_.BeginServerLife();
    server_ = Restart(data_);
  }

  void RunRound(int round) {
    auto started = std::chrono::steady_clock::now();
    uint64_t seed = RoundSeed(options_.seed, round);
    std::mt19937_64 random(seed);
    target_.BeginRound(round, seed);
    webhooks_.BeginRound(seed);
    ledger_.BeginRound(round);
    int delay_ms = std::uniform_int_distribution<int>(kMinKillDelayMs, kMaxKillDelayMs)(random);
    {
      Load load(server_->port(), kToken, round, seed, ledger_, work_);
      GateAgent gate_agent(server_->port(), gate_agent_token_, kToken, round, seed, gates_);
      load.Start();
      gate_agent.Start();
      if (!load.AwaitAcks(kAcksBeforeKillDelay, std::chrono::seconds(30))) {
        throw CheckFailed("the load got fewer than " + std::to_string(kAcksBeforeKillDelay) +
                          " acknowledgements in 30 s");
      }
      // The random moment of the kill, while the load runs: the one sleep here, on purpose.
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      if (std::optional<int> status = server_->ExitStatus()) {
        throw CheckFailed("the server exited on its own during the load (wait status " +
                          std::to_string(*status) + ")");
      }
      load.MarkKilled();
      gate_agent.MarkKilled();
      server_->Kill();
      load.Join();
      gate_agent.Join();
    }
    RoundCounts counts = ledger_.counts();
    StartServer();
    if (std::vector<std::string> anomalies = gates_.TakeAnomalies(); !anomalies.empty()) {
      throw CheckFailed("the server gave the gate agent answers it should never give: " +
                        anomalies.front());
    }
    std::set<std::string> pending_gates =
        CheckGates(server_->port(), gate_agent_token_, kToken, round, round == options_.rounds,
                   gates_);
    CheckReport report = checker_.Run(server_->port(), kToken, random,
                                      round == options_.rounds, pending_gates, work_);
    size_t fire_times = 0;
    {
      ApiClient api(server_->port(), kToken);
      CheckWebhooks(api, work_.approvals, report.notices, webhooks_, kWebhookBound);
      fire_times = schedule_.Check(api);
    }
    DeliveriesSeen deliveries = webhooks_.Seen();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << "round " << round << "/" << options_.rounds << " seed " << seed << ": killed after "
              << delay_ms << " ms; acked " << counts.starts << " starts (" << counts.keyed
              << " keyed, " << counts.repeated << " repeats, " << counts.waited << " ?wait), "
              << counts.rest_decisions + counts.ws_decisions << " decisions ("
              << counts.ws_decisions << " ws), " << counts.rest_comments + counts.ws_comments
              << " comments (" << counts.ws_comments << " ws), " << counts.cancels
              << " cancels, " << counts.retries << " retries, " << counts.users << " users, "
              << gates_.opened_in_round(round)
              << " gates opened, " << gates_.decided_in_round(round) << " gates decided; "
              << counts.conflicts << " 409s, "
              << counts.cut_off << " cut off; checked " << report.runs << " runs, "
              << report.approvals << " approvals (" << report.timed_out << " timed out, "
              << report.escalated << " escalated, " << report.with_votes << " with votes, "
              << report.edited << " edited, " << report.gates << " tool gates; longest log "
              << report.longest_log << " events), " << report.pending << " approvals and "
              << pending_gates.size() << " gates pending agree, " << report.users << " users; target "
              << report.requests << " requests (" << report.failed_on_purpose << " 500s), "
              << report.side_effects << " keys; webhooks " << deliveries.requests
              << " requests (" << deliveries.failed_on_purpose << " 500s), "
              << deliveries.by_id.size() << " delivery ids (" << report.notices.size()
              << " notify steps checked); " << fire_times
              << " fire times so far, one run each: ok (" << Fixed(seconds) << " s)"
              << std::endl;
  }

  const Options options_;
  TempDir data_;
  SideEffectTarget target_;
  WebhookReceiver webhooks_;
  Ledger ledger_;
  WorkingSet work_;
  GateLedger gates_;
  ScheduleCheck schedule_;
  std::string gate_agent_token_;
  Checker checker_;
  std::unique_ptr<ServerProcess> server_;
};

}  // namespace
}  // namespace assent::testing::kill_loop

int main(int argc, char** argv) {
  using namespace assent::testing::kill_loop;
  Options options;
  try {
    ParseOptions(argc, argv, &options);
  } catch (const std::exception& error) {
    std::cerr << "kill_loop: " << error.what() << "\n" << kUsage;
    return 2;
  }
  if (!options.seed_given) options.seed = std::random_device{}();
  return KillLoop(options).Run();
}
