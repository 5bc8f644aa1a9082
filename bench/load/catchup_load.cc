#include "bench/load/catchup_load.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "bench/load/sync_client.h"
#include "bench/load/w1.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace assent::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

constexpr const char* kToken = "bench-token";
constexpr char kRequested[] = R"({"type":"approval.requested")";

double NowMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

size_t CountRequested(const std::string& frame) {
  size_t count = 0;
  for (size_t at = frame.find(kRequested); at != std::string::npos;
       at = frame.find(kRequested, at + 1)) {
    ++count;
  }
  return count;
}

// Reads frames until `count` approval.requested messages have come; returns the frames.
std::vector<std::string> ReadRequested(WebSocket& ws, size_t count) {
  std::vector<std::string> frames;
  size_t seen = 0;
  while (seen < count) {
    beast::flat_buffer buffer;
    ws.read(buffer);
    frames.push_back(beast::buffers_to_string(buffer.data()));
    seen += CountRequested(frames.back());
  }
  return frames;
}

// The cursors of the messages in `frames`, batches unpacked.
std::vector<uint64_t> Cursors(const std::vector<std::string>& frames) {
  std::vector<uint64_t> cursors;
  for (const std::string& frame : frames) {
    json::value parsed = json::parse(frame);
    if (parsed.at("type") == "batch") {
      for (const json::value& message : parsed.at("messages").as_array()) {
        cursors.push_back(message.at("cursor").to_number<uint64_t>());
      }
    } else if (parsed.as_object().contains("cursor")) {
      cursors.push_back(parsed.at("cursor").to_number<uint64_t>());
    }
  }
  return cursors;
}

void StartApprovalRuns(const tcp::endpoint& endpoint, const std::string& bearer, int count,
                       int concurrency) {
  std::atomic<int> next{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < concurrency; ++c) {
    clients.emplace_back([&] {
      asio::io_context io;
      for (int i = next++; i < count; i = next++) {
        HttpReply reply = HttpCall(io, endpoint, bearer, http::verb::post,
                                   std::string("/v1/workflows/") + kW1Name + "/runs",
                                   json::serialize(json::object{{"input", W1Input(2 * i)}}));
        if (reply.status != 201) ++failed;
      }
    });
  }
  for (std::thread& client : clients) client.join();
  if (failed > 0) throw std::runtime_error(std::to_string(failed.load()) + " starts failed");
}

}  // namespace

int RunCatchupMode(const CatchupFlags& flags) {
  testing::TempDir data;
  auto server = testing::ServerProcess::Serve(data.str(), kToken);
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), server->port());
  std::string bearer = std::string("Bearer ") + kToken;
  asio::io_context io;
  ApplyW1(io, endpoint, bearer);

  WebSocket reviewer(io);
  uint64_t cursor =
      json::parse(ConnectStream(reviewer, endpoint, bearer)).at("cursor").to_number<uint64_t>();
  reviewer.next_layer().close();
  WebSocket watcher(io);
  ConnectStream(watcher, endpoint, bearer);

  double begin = NowMs();
  StartApprovalRuns(endpoint, bearer, flags.missed, flags.concurrency);
  ReadRequested(watcher, flags.missed);
  double fill_s = (NowMs() - begin) / 1000;

  std::vector<double> round_ms;
  size_t bytes = 0, frames = 0;
  std::vector<std::string> errors;
  std::string target = "/v1/stream?since=" + std::to_string(cursor);
  for (int round = 0; round < flags.rounds; ++round) {
    WebSocket back(io);
    double start = NowMs();
    std::string first = ConnectStream(back, endpoint, bearer, target);
    std::vector<std::string> received{first};
    size_t seen = CountRequested(first);
    if (seen < static_cast<size_t>(flags.missed)) {
      for (std::string& frame : ReadRequested(back, flags.missed - seen)) {
        received.push_back(std::move(frame));
      }
    }
    round_ms.push_back(NowMs() - start);
    back.next_layer().close();
    frames = received.size();
    bytes = 0;
    for (const std::string& frame : received) bytes += frame.size();
    std::vector<uint64_t> cursors = Cursors(received);
    if (cursors.size() != static_cast<size_t>(flags.missed)) {
      errors.push_back("round " + std::to_string(round) + ": " + std::to_string(cursors.size()) +
                       " messages, not " + std::to_string(flags.missed));
    }
    for (size_t i = 0; i < cursors.size(); ++i) {
      if (cursors[i] != cursor + 1 + i) {
        errors.push_back("round " + std::to_string(round) + ": message " + std::to_string(i) +
                         " has cursor " + std::to_string(cursors[i]) + ", not " +
                         std::to_string(cursor + 1 + i));
        break;
      }
    }
  }
  std::vector<double> sorted = round_ms;
  std::sort(sorted.begin(), sorted.end());
  double median = sorted[sorted.size() / 2], worst = sorted.back();
  std::printf("catch-up: a reviewer reconnects after missing %d approval messages (%d rounds)\n",
              flags.missed, flags.rounds);
  std::printf("  filled in               %.1f s (%d runs started, each message seen live)\n",
              fill_s, flags.missed);
  std::printf("  connect -> all missed   median %.1f ms, worst %.1f ms\n", median, worst);
  std::printf("  replay                  %zu frames, %.1f MiB\n", frames, bytes / 1048576.0);
  for (const std::string& error : errors) std::printf("  ERROR %s\n", error.c_str());
  json::object result{{"mode", "catchup"},        {"missed", flags.missed},
                      {"rounds", flags.rounds},   {"catchup_median_ms", median},
                      {"catchup_worst_ms", worst}, {"replay_frames", frames},
                      {"replay_bytes", bytes},    {"errors", errors.size()}};
  std::printf("RESULT_JSON %s\n", json::serialize(result).c_str());
  return errors.empty() ? 0 : 1;
}

}  // namespace assent::bench
