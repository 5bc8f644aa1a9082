#include "bench/load/server_load.h"

#include <chrono>
#include <deque>
#include <memory>
#include <unordered_map>

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "bench/load/sync_client.h"
#include "bench/load/w1.h"

namespace assent::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

// With ServerLoad::AsUser, the user the load acts as: it starts every run and decides every
// approval with its own token, in the group W1's definition names as editors.
constexpr const char* kBenchUser = "bench";
constexpr const char* kRunWait = "60s";     // the server's longest wait for a run's result

double NowMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct ServerLoad::Impl {
  class RunClient;

  // Where an approval run stands between its notification, its decision's ack and its
  // start's answer (the finished run); they arrive on two connections, in either order.
  struct Waiting {
    std::string approval_id;
    double notified_at = -1;
    double decide_sent_at = -1;
    bool acked = false;
    bool finished = false;
  };

  // One keep-alive connection with one run in flight at a time.
  class RunClient {
   public:
    RunClient(Impl& load, tcp::endpoint endpoint) : load_(load), stream_(load.io) {
      stream_.socket().connect(endpoint);
      stream_.socket().set_option(tcp::no_delay(true));
    }

    void StartNext() {
      if (load_.next >= load_.end) return;
      if (!load_.MayStartNow()) return load_.Park(this);
      index_ = load_.next++;
      started_at_ = NowMs();
      // ?wait: the answer is the finished run, so its result is checked without another request.
      std::string target = "/v1/workflows/" + load_.workflows[load_.WorkflowOf(index_)] +
                           "/runs?wait=" + kRunWait;
      request_ = {http::verb::post, target, 11};
      request_.set(http::field::host, "127.0.0.1");
      request_.set(http::field::authorization, load_.bearer);
      request_.set(http::field::content_type, "application/json");
      request_.body() = json::serialize(json::object{{"input", W1Input(index_)}});
      request_.prepare_payload();
      http::async_write(stream_, request_, [this](beast::error_code ec, size_t) {
        if (ec) return Fail("write: " + ec.message());
        response_ = {};
        http::async_read(stream_, buffer_, response_, [this](beast::error_code ec, size_t) {
          if (ec) return Fail("read: " + ec.message());
          OnFinished();
        });
      });
    }

   private:
    void OnFinished() {
      if (response_.result() != http::status::created) {
        load_.Error("start " + std::to_string(index_) + ": HTTP " +
                    std::to_string(response_.result_int()) + " " + response_.body());
        return Finish();
      }
      json::value run = json::parse(response_.body());
      std::string run_id(run.at("run_id").as_string());
      const json::value* output = run.as_object().if_contains("output");
      std::string problem = run.at("status") != "completed" || output == nullptr
                                ? "run " + run_id + " not completed: " + response_.body()
                                : CheckW1Output(index_, *output, load_.reviewer_id);
      if (problem.empty() && W1NeedsApproval(index_)) {
        problem = load_.ApprovalRunFinished(run_id, started_at_, load_.WorkflowOf(index_));
      }
      if (!problem.empty()) {
        load_.Error(problem);
      } else {
        load_.report.end_to_end.Add(NowMs() - started_at_);
      }
      Finish();
    }

    void Finish() {
      ++load_.finished;
      StartNext();
    }

    void Fail(const std::string& what) {
      load_.Error("connection " + what);
      load_.finished = load_.end - load_.first;  // a broken connection ends the phase
      load_.io.stop();
    }

    Impl& load_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> request_;
    http::response<http::string_body> response_;
    int index_ = -1;
    double started_at_ = 0;
  };

  Impl(uint16_t port, std::string token, int concurrency)
      : endpoint(asio::ip::make_address("127.0.0.1"), port),
        bearer("Bearer " + token),
        concurrency(concurrency),
        reviewer(io),
        pace_timer(io) {}

  void Prepare() {
    ApplyW1(io, endpoint, bearer, kW1Name, kW1Editors, approval_timeout);
    if (as_user) {
      // The admin makes the user (a fresh id per load, so a kept server takes it too); from
      // here on every request authenticates the user's token and passes the access rules.
      std::string id = std::string(kBenchUser) + "-" + std::to_string(::getpid());
      bearer = AddUser(io, endpoint, bearer, id, {kW1Editors});
      reviewer_id = id;
    }
    ConnectStream(reviewer, endpoint, bearer);  // its snapshot is not needed
    for (int i = 0; i < concurrency; ++i) {
      clients.push_back(std::make_unique<RunClient>(*this, endpoint));
    }
  }

  PhaseReport RunPhase(int first_index, int count) {
    report = PhaseReport{};
    first = first_index;
    next = first_index;
    end = first_index + count;
    finished = 0;
    io.restart();
    double begin = NowMs();
    phase_begin = begin;
    ReadReview();
    for (auto& client : clients) client->StartNext();
    // Runs answer on their own connections, acks on the reviewer's: wait for both, so every
    // ack counts in its own phase.
    while ((finished < count || decisions_unanswered > 0) && !io.stopped()) io.run_one();
    report.seconds = (NowMs() - begin) / 1000.0;
    parked.clear();
    pace_timer.cancel();
    report.runs = count;
    // Leave the reviewer's pending read to the next phase; nothing is outstanding otherwise.
    return std::move(report);
  }

  void ReadReview() {
    if (reading) return;
    reading = true;
    reviewer.async_read(review_buffer, [this](beast::error_code ec, size_t) {
      reading = false;
      if (ec) {
        Error("reviewer stream: " + ec.message());
        finished = end - first;
        io.stop();
        return;
      }
      OnReviewMessage(json::parse(beast::buffers_to_string(review_buffer.data())));
      review_buffer.clear();
      ReadReview();
    });
  }

  void OnReviewMessage(const json::value& message) {
    std::string_view type = message.at("type").as_string();
    if (type == "batch") {  // messages that waited together: handle each in order
      for (const json::value& inner : message.at("messages").as_array()) OnReviewMessage(inner);
      return;
    }
    if (type == "approval.requested") {
      const json::value& approval = message.at("approval");
      std::string run_id(approval.at("run_id").as_string());
      Waiting& waiting = this->waiting[run_id];
      waiting.approval_id = approval.at("id").as_string();
      waiting.notified_at = NowMs();
      waiting.decide_sent_at = waiting.notified_at;
      ++decisions_unanswered;
      QueueReview(json::serialize(json::object{{"type", "decide"},
                                               {"id", approval.at("id")},
                                               {"decision", "approve"},
                                               {"comment", "ok"},
                                               {"req", run_id}}));
    } else if (type == "ack") {
      --decisions_unanswered;
      auto it = waiting.find(std::string(message.at("req").as_string()));
      if (it == waiting.end()) return Error("reviewer got an ack for no decision");
      it->second.acked = true;
      report.resumed.Add(NowMs() - it->second.decide_sent_at);
      if (it->second.finished) waiting.erase(it);
    } else if (type == "error") {
      if (message.as_object().contains("req")) --decisions_unanswered;
      Error("reviewer got " + json::serialize(message));
    }
  }

  // An approval run's answer is in: completes its timings. Returns a problem, or "".
  std::string ApprovalRunFinished(const std::string& run_id, double started_at, int workflow) {
    auto it = waiting.find(run_id);
    if (it == waiting.end()) return "run " + run_id + " finished unseen by the reviewer";
    report.notified.Add(it->second.notified_at - started_at);
    if (timings != nullptr) {
      (*timings)[it->second.approval_id] = {started_at, it->second.decide_sent_at, workflow};
    }
    it->second.finished = true;
    if (it->second.acked) waiting.erase(it);
    return "";
  }

  // Which of `workflows` run `index` starts on: pairs of runs take turns, so that each gets
  // its share of the approval runs (the even indexes).
  int WorkflowOf(int index) const { return (index / 2) % static_cast<int>(workflows.size()); }

  // Pacing: start k of the phase (k = next - first) is due k / rate after the phase began.
  bool MayStartNow() const { return rate <= 0 || NowMs() >= DueAt(next - first); }
  double DueAt(int k) const { return phase_begin + k * 1000.0 / rate; }

  // A client with nothing due waits here until the timer releases it.
  void Park(RunClient* client) {
    parked.push_back(client);
    if (parked.size() == 1) ArmPaceTimer();
  }

  void ArmPaceTimer() {
    auto wait = std::chrono::duration<double, std::milli>(DueAt(next - first) - NowMs());
    pace_timer.expires_after(std::chrono::duration_cast<std::chrono::nanoseconds>(wait));
    pace_timer.async_wait([this](beast::error_code ec) {
      if (ec) return;  // cancelled: the phase ended
      while (!parked.empty() && next < end && MayStartNow()) {
        RunClient* client = parked.front();
        parked.pop_front();
        client->StartNext();
      }
      if (next >= end) parked.clear();
      if (!parked.empty()) ArmPaceTimer();
    });
  }

  void QueueReview(std::string message) {
    outbox.push_back(std::move(message));
    if (outbox.size() == 1) WriteReview();
  }

  void WriteReview() {
    reviewer.async_write(asio::buffer(outbox.front()), [this](beast::error_code ec, size_t) {
      if (ec) return Error("reviewer write: " + ec.message());
      outbox.pop_front();
      if (!outbox.empty()) WriteReview();
    });
  }

  void Error(std::string what) {
    if (report.errors.size() < 20) report.errors.push_back(std::move(what));
  }

  asio::io_context io;
  tcp::endpoint endpoint;
  std::string bearer;
  bool as_user = false;
  std::string approval_timeout;  // W1's approval "timeout"; empty: none
  std::vector<std::string> workflows{kW1Name};
  std::string reviewer_id = "admin";  // who decides: the admin token's identity, or the user
  int concurrency;
  websocket::stream<beast::tcp_stream> reviewer;
  beast::flat_buffer review_buffer;
  bool reading = false;
  std::deque<std::string> outbox;
  std::vector<std::unique_ptr<RunClient>> clients;
  double rate = 0;  // starts per second; 0: unpaced
  double phase_begin = 0;
  asio::steady_timer pace_timer;
  std::deque<RunClient*> parked;
  ApprovalTimings* timings = nullptr;
  std::unordered_map<std::string, Waiting> waiting;
  int decisions_unanswered = 0;  // decide messages sent, neither acked nor refused yet
  PhaseReport report;
  int first = 0, next = 0, end = 0, finished = 0;
};

ServerLoad::ServerLoad(uint16_t port, std::string token, int concurrency)
    : impl_(std::make_unique<Impl>(port, std::move(token), concurrency)) {}
ServerLoad::~ServerLoad() = default;

void ServerLoad::Prepare() { impl_->Prepare(); }
void ServerLoad::SetRate(double runs_per_s) { impl_->rate = runs_per_s; }
void ServerLoad::AsUser() { impl_->as_user = true; }
void ServerLoad::WithApprovalTimeout(std::string timeout) {
  impl_->approval_timeout = std::move(timeout);
}
void ServerLoad::SpreadOver(std::vector<std::string> workflows) {
  impl_->workflows = std::move(workflows);
}
void ServerLoad::RecordApprovals(ApprovalTimings* sink) { impl_->timings = sink; }
PhaseReport ServerLoad::RunPhase(int first, int count) { return impl_->RunPhase(first, count); }

}  // namespace assent::bench
