#include "bench/load/recovery_load.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "bench/load/process_stats.h"
#include "bench/load/recovery_fill.h"
#include "bench/load/sync_client.h"
#include "bench/load/w1.h"
#include "tests/support/server_process.h"

namespace assent::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

constexpr const char* kToken = "bench-token";
constexpr int kSampleRuns = 20;
constexpr auto kIdle = std::chrono::seconds(2);

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double MiB(size_t bytes) { return bytes / 1048576.0; }

struct ServerFigures {
  double startup_s = 0;     // spawn -> "listening on"
  size_t rss_started = 0;   // right after
  size_t rss_idle = 0;      // after kIdle
  int decided_in_log = -1;  // approvals decided on this data dir so far, as its log says
  double decide_ms = 0;     // deciding one recovered (evicted) waiting run, over REST
  int sampled_waiting = 0;  // waiting runs checked over REST
  double snapshot_first_page_s = 0;  // connect a reviewer stream -> its first snapshot page
  double snapshot_s = 0;    // connect a reviewer stream -> every snapshot page read
  size_t snapshot_bytes = 0;
  int snapshot_pending = -1;
  size_t rss_after_snapshot = 0;
  std::vector<std::string> errors;
};

// Checks a sample of waiting runs over REST, then decides the first one and checks it completes.
void CheckWaitingRuns(asio::io_context& io, const tcp::endpoint& endpoint,
                      const std::string& bearer, ServerFigures& figures) {
  HttpReply list = HttpCall(io, endpoint, bearer, http::verb::get,
                            "/v1/runs?status=waiting&limit=" + std::to_string(kSampleRuns));
  if (list.status != 200) return figures.errors.push_back("list waiting: " + list.body);
  json::value listed = json::parse(list.body);
  const json::array& runs = listed.at("runs").as_array();
  for (const json::value& run : runs) {
    const json::array& pending = run.at("pending_approvals").as_array();
    if (run.at("status") != "waiting" || pending.size() != 1) {
      figures.errors.push_back("not a waiting W1 run: " + json::serialize(run));
    }
  }
  figures.sampled_waiting = static_cast<int>(runs.size());
  if (runs.empty()) return figures.errors.push_back("no waiting run listed");

  const json::value& run = runs.front();
  std::string run_id(run.at("run_id").as_string());
  std::string approval_id(run.at("pending_approvals").as_array().at(0).at("id").as_string());
  double begin = Now();
  HttpReply decided = HttpCall(io, endpoint, bearer, http::verb::post,
                               "/v1/approvals/" + approval_id + "/decision",
                               R"({"decision": "approve", "comment": "recovery check"})");
  figures.decide_ms = (Now() - begin) * 1000;
  if (decided.status != 200) return figures.errors.push_back("decide: " + decided.body);

  HttpReply after = HttpCall(io, endpoint, bearer, http::verb::get, "/v1/runs/" + run_id);
  json::value view = json::parse(after.body);
  const json::value* output = view.as_object().if_contains("output");
  if (view.at("status") != "completed" || output == nullptr) {
    return figures.errors.push_back("decided run did not complete: " + after.body);
  }
  std::string invoice(view.at("input").at("invoice_id").as_string());  // "inv-<index>"
  std::string problem = CheckW1Output(std::stoi(invoice.substr(4)), *output, "admin");
  if (!problem.empty()) figures.errors.push_back(problem);
}

// Approvals decided on this data dir so far, by this run or any earlier one, counted from the
// log itself: a run that dies after its decision is durable (an exception, a lost connection,
// Ctrl-C) cannot note it anywhere else, and a count kept beside the log would then expect one
// pending approval too many on every later run.
int CountDecided(asio::io_context& io, const tcp::endpoint& endpoint, const std::string& bearer,
                 ServerFigures& figures) {
  constexpr size_t kListMax = 1000;  // the API's largest page
  int decided = 0;
  for (const char* status : {"approved", "rejected", "cancelled"}) {
    HttpReply list = HttpCall(io, endpoint, bearer, http::verb::get,
                              std::string("/v1/approvals?status=") + status +
                                  "&limit=" + std::to_string(kListMax));
    if (list.status != 200) {
      figures.errors.push_back(std::string("list ") + status + " approvals: " + list.body);
      return -1;
    }
    size_t count = json::parse(list.body).at("approvals").as_array().size();
    if (count == kListMax) {
      figures.errors.push_back(std::string("too many ") + status + " approvals to count");
      return -1;
    }
    decided += static_cast<int>(count);
  }
  return decided;
}

// A reviewer connecting now gets every pending approval in its snapshot, page by page.
void ReadSnapshot(asio::io_context& io, const tcp::endpoint& endpoint, const std::string& bearer,
                  ServerFigures& figures) {
  WebSocket ws(io);
  double begin = Now();
  std::string text = ConnectStream(ws, endpoint, bearer);
  figures.snapshot_first_page_s = Now() - begin;
  figures.snapshot_pending = 0;
  for (;;) {
    figures.snapshot_bytes += text.size();
    json::object page = json::parse(text).as_object();
    figures.snapshot_pending += static_cast<int>(page.at("pending").as_array().size());
    const json::value* next = page.if_contains("next");
    if (next == nullptr) break;
    ws.write(asio::buffer(json::serialize(json::object{{"type", "snapshot.more"}, {"after", *next}})));
    beast::flat_buffer buffer;
    ws.read(buffer);
    text = beast::buffers_to_string(buffer.data());
  }
  figures.snapshot_s = Now() - begin;
}

ServerFigures MeasureServer(const std::string& data_dir) {
  ServerFigures figures;
  double begin = Now();
  auto server = testing::ServerProcess::Serve(data_dir, kToken);
  figures.startup_s = Now() - begin;
  figures.rss_started = ResidentBytes(server->pid());
  std::this_thread::sleep_for(kIdle);
  figures.rss_idle = ResidentBytes(server->pid());

  asio::io_context io;
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), server->port());
  std::string bearer = std::string("Bearer ") + kToken;
  CheckWaitingRuns(io, endpoint, bearer, figures);
  ReadSnapshot(io, endpoint, bearer, figures);
  figures.rss_after_snapshot = ResidentBytes(server->pid());
  figures.decided_in_log = CountDecided(io, endpoint, bearer, figures);
  server->Terminate();
  return figures;
}

}  // namespace

int RunRecoveryMode(const RecoveryFlags& flags) {
  BenchDir dir(flags.data_dir, flags.keep);
  std::printf("recovery bench dir: %s (%s)\n", dir.path().c_str(),
              dir.kept() ? "kept: reuse it with --data" : "removed at exit; --keep keeps it");
  std::optional<FillRecord> record = dir.ReadRecord();
  std::optional<FillReport> fill;
  if (record) {
    std::printf("reusing its fill: %d runs, %d waiting\n", record->runs, record->waiting);
    if (record->approval_timeout != flags.approval_timeout) {
      std::fprintf(stderr, "assent-bench: %s was filled with approval timeout \"%s\", not \"%s\"\n",
                   dir.path().c_str(), record->approval_timeout.c_str(),
                   flags.approval_timeout.c_str());
      return 2;
    }
  } else {
    std::printf("filling %d W1 runs in process (%d in flight, approvals left pending)\n",
                flags.runs, flags.concurrency);
    fill = FillLog(dir.data_dir(), flags.runs, flags.concurrency, flags.approval_timeout);
    record = fill->record;
    dir.WriteRecord(*record);
    std::printf("  fill: %.0f runs/s, in-process RSS at the end %.0f MiB (engine open, up to "
                "max_cached_waiting_runs idle waiting runs cached)\n",
                record->runs / fill->seconds, MiB(fill->rss_bytes));
  }

  ServerFigures server = MeasureServer(dir.data_dir());
  // The fill left its waiting runs' approvals pending; each decision since took one away.
  int expected_pending = record->waiting - server.decided_in_log;
  if (server.decided_in_log >= 0 && server.snapshot_pending != expected_pending) {
    server.errors.push_back("snapshot lists " + std::to_string(server.snapshot_pending) +
                            " pending approvals, expected " + std::to_string(expected_pending));
  }
  if (fill) server.errors.insert(server.errors.begin(), fill->errors.begin(), fill->errors.end());

  std::printf("recovery: %d runs (%d waiting) — startup %.2f s, RSS %.0f MiB\n", record->runs,
              record->waiting, server.startup_s, MiB(server.rss_started));
  std::printf("  RSS after %lld s idle     %.0f MiB\n",
              static_cast<long long>(kIdle.count()), MiB(server.rss_idle));
  std::printf("  waiting runs sampled   %d over REST; deciding one took %.1f ms and completed it\n",
              server.sampled_waiting, server.decide_ms);
  std::printf("  reviewer snapshot      %d pending approvals, %.1f MiB, first page %.3f s, all "
              "pages %.2f s; server RSS then %.0f MiB\n",
              server.snapshot_pending, MiB(server.snapshot_bytes), server.snapshot_first_page_s,
              server.snapshot_s, MiB(server.rss_after_snapshot));
  for (const std::string& error : server.errors) std::printf("  ERROR %s\n", error.c_str());

  json::object result{{"mode", "recovery"},
                      {"runs", record->runs},
                      {"waiting", record->waiting},
                      {"approval_timeout", record->approval_timeout},
                      {"startup_s", server.startup_s},
                      {"rss_started_mib", MiB(server.rss_started)},
                      {"rss_idle_mib", MiB(server.rss_idle)},
                      {"decide_recovered_ms", server.decide_ms},
                      {"snapshot_pending", server.snapshot_pending},
                      {"snapshot_mib", MiB(server.snapshot_bytes)},
                      {"snapshot_first_page_s", server.snapshot_first_page_s},
                      {"snapshot_s", server.snapshot_s},
                      {"rss_after_snapshot_mib", MiB(server.rss_after_snapshot)},
                      {"errors", server.errors.size()}};
  if (fill) {
    result["fill_runs_per_s"] = record->runs / fill->seconds;
    result["fill_rss_mib"] = MiB(fill->rss_bytes);
  }
  std::printf("RESULT_JSON %s\n", json::serialize(result).c_str());
  return server.errors.empty() ? 0 : 1;
}

}  // namespace assent::bench
