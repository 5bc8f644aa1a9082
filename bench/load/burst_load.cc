#include "bench/load/burst_load.h"

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json.hpp>

#include "bench/load/sync_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace assent::bench {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

constexpr const char* kToken = "bench-token";
constexpr auto kRoundLimit = std::chrono::minutes(10);
constexpr auto kPoll = std::chrono::milliseconds(20);  // between status checks: not measured

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Round {
  int bound = 0;
  double seconds = 0;  // restart spawned -> no run running
  int completed = 0;
  int failed = 0;
  int unfinished = 0;
  SmallPayee::Counts payee;
  std::string first_error;  // of a failed run
};

class Server {
 public:
  Server(const std::string& data_dir, int bound)
      : process_(testing::ServerProcess::Serve(
            data_dir, kToken,
            // The 3 quick attempts the figures were measured with: the server's default
            // retries for a day, which would keep an unbounded round's failures running.
            {"--http-max-connections-per-host", std::to_string(bound), "--log-level", "warn",
             "--http-max-attempts", "3", "--http-retry-backoff", "200ms"})),
        endpoint_(asio::ip::make_address("127.0.0.1"), process_->port()) {}

  HttpReply Call(http::verb verb, const std::string& target, const std::string& body = "") {
    return HttpCall(io_, endpoint_, std::string("Bearer ") + kToken, verb, target, body);
  }
  void Kill() { process_->Kill(); }

  // Runs of `status`, every page; the first one's error, if asked.
  int Count(const std::string& status, std::string* first_error = nullptr) {
    int count = 0;
    std::string after;
    for (;;) {
      HttpReply page = Call(http::verb::get, "/v1/runs?workflow=pay&limit=1000&status=" + status +
                                                 (after.empty() ? "" : "&after=" + after));
      if (page.status != 200) throw std::runtime_error("list runs: " + page.body);
      json::value body = json::parse(page.body);
      const json::array& runs = body.at("runs").as_array();
      if (first_error != nullptr && first_error->empty() && !runs.empty()) {
        const json::value* error = runs.front().as_object().if_contains("error");
        if (error != nullptr) *first_error = json::serialize(*error);
      }
      count += static_cast<int>(runs.size());
      const json::value* next = body.as_object().if_contains("next");
      if (next == nullptr || !next->is_string()) return count;
      after = std::string(next->as_string());
    }
  }

 private:
  std::unique_ptr<testing::ServerProcess> process_;
  asio::io_context io_;
  tcp::endpoint endpoint_;
};

Round RunRound(const BurstFlags& flags, int bound, SmallPayee& payee) {
  testing::TempDir dir;
  Round round;
  round.bound = bound;
  payee.Pause();
  {
    Server server(dir.str(), bound);
    json::object step{{"id", "pay"},
                      {"type", "http"},
                      {"url", "http://127.0.0.1:" + std::to_string(payee.port()) + "/payments"},
                      {"body", {{"invoice", "{{input.n}}"}}}};
    HttpReply applied = server.Call(http::verb::put, "/v1/workflows/pay",
                                    json::serialize(json::object{{"steps", json::array{step}}}));
    if (applied.status != 200) throw std::runtime_error("apply: " + applied.body);
    for (int i = 0; i < flags.runs; ++i) {
      HttpReply started = server.Call(http::verb::post, "/v1/workflows/pay/runs",
                                      json::serialize(json::object{{"input", {{"n", i}}}}));
      if (started.status != 201) throw std::runtime_error("start: " + started.body);
    }
    server.Kill();  // every run's call under way, none answered
  }
  payee.Resume();
  payee.ResetCounts();

  double begin = Now();
  Server server(dir.str(), bound);
  const double deadline = begin + std::chrono::duration<double>(kRoundLimit).count();
  while (server.Count("running") > 0 && Now() < deadline) std::this_thread::sleep_for(kPoll);
  round.seconds = Now() - begin;
  round.completed = server.Count("completed");
  round.failed = server.Count("failed", &round.first_error);
  round.unfinished = flags.runs - round.completed - round.failed;
  round.payee = payee.counts();
  return round;
}

}  // namespace

int RunBurstMode(const BurstFlags& flags) {
  SmallPayee payee(flags.payee);
  std::printf("burst: %d runs resumed at once after a SIGKILL; one payee holding %d connections "
              "(backlog %d), %d workers, %.1f ms a request\n",
              flags.runs, flags.payee.max_open, flags.payee.backlog, flags.payee.workers,
              flags.payee.service.count() / 1000.0);
  json::array rounds;
  bool first_bound_clean = true;
  for (int r = 0; r < flags.rounds; ++r) {
    for (int bound : flags.bounds) {
      Round round = RunRound(flags, bound, payee);
      std::printf("  bound %5d: %6.2f s, %d completed, %d failed, %d unfinished; payee: %zu "
                  "connections accepted, %zu at most at once, %zu answers%s%s\n",
                  round.bound, round.seconds, round.completed, round.failed, round.unfinished,
                  round.payee.accepted, round.payee.most_open, round.payee.answered,
                  round.first_error.empty() ? "" : "; e.g. ", round.first_error.c_str());
      std::fflush(stdout);
      if (bound == flags.bounds.front() && (round.failed != 0 || round.unfinished != 0)) {
        first_bound_clean = false;
      }
      rounds.push_back({{"bound", round.bound},
                        {"seconds", round.seconds},
                        {"completed", round.completed},
                        {"failed", round.failed},
                        {"unfinished", round.unfinished},
                        {"connections_accepted", round.payee.accepted},
                        {"connections_most_open", round.payee.most_open},
                        {"answers", round.payee.answered},
                        {"first_error", round.first_error}});
    }
  }
  json::object result{{"mode", "burst"},
                      {"runs", flags.runs},
                      {"payee_max_open", flags.payee.max_open},
                      {"payee_backlog", flags.payee.backlog},
                      {"payee_workers", flags.payee.workers},
                      {"payee_service_us", flags.payee.service.count()},
                      {"rounds", rounds}};
  std::printf("RESULT_JSON %s\n", json::serialize(result).c_str());
  return first_bound_clean ? 0 : 1;
}

}  // namespace assent::bench
