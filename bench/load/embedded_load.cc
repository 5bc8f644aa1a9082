#include "bench/load/embedded_load.h"

#include <chrono>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "bench/load/w1.h"

namespace assent::bench {
namespace {

namespace asio = boost::asio;
constexpr const char* kReviewer = "bench";

double NowMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// All driver state lives on one thread (the caller's); engine callbacks are posted to it.
class EmbeddedDriver {
 public:
  EmbeddedDriver(engine::Engine& engine, int first, int count, int concurrency, bool decide)
      : engine_(engine),
        next_(first),
        end_(first + count),
        count_(count),
        concurrency_(concurrency),
        decide_(decide) {}

  PhaseReport Run() {
    uint64_t subscription = 0;
    if (decide_) subscription = engine_.Subscribe([this](const engine::ApprovalNotification& note) {
      if (note.kind != engine::ApprovalNotification::Kind::kRequested) return;
      asio::post(io_, [this, approval_id = note.approval.id, run_id = note.approval.run_id] {
        OnNotified(run_id, approval_id);
      });
    });
    double begin = NowMs();
    for (int i = 0; i < concurrency_; ++i) StartNext();
    auto guard = asio::make_work_guard(io_);
    while (finished_ < count_) io_.run_one();
    if (decide_) engine_.Unsubscribe(subscription);
    report_.seconds = (NowMs() - begin) / 1000.0;
    report_.runs = count_;
    return std::move(report_);
  }

 private:
  struct Waiting {
    int index = -1;
    double started_at = 0;
    bool started = false;
    bool decided = false;
    double notified_at = 0;
  };

  void StartNext() {
    if (next_ >= end_) return;
    int index = next_++;
    double started_at = NowMs();
    engine_.StartRun(engine::StartRunCommand{kW1Name, W1Input(index), ""},
                     [this, index, started_at](Result<engine::StartRunResult> result) {
                       asio::post(io_, [this, index, started_at, result = std::move(result)] {
                         OnStarted(index, started_at, result);
                       });
                     });
  }

  void OnStarted(int index, double started_at, const Result<engine::StartRunResult>& result) {
    if (!result.ok()) return Finish("start: " + result.status().ToString());
    if (!W1NeedsApproval(index)) return Check(index, started_at, result->run_id);
    if (!decide_) return Finish("");  // left waiting
    Waiting& waiting = waiting_[result->run_id];
    waiting.index = index;
    waiting.started_at = started_at;
    waiting.started = true;
    if (waiting.decided) Complete(result->run_id);
  }

  void OnNotified(const std::string& run_id, const std::string& approval_id) {
    waiting_[run_id].notified_at = NowMs();
    double decide_sent = NowMs();
    engine_.Decide(engine::DecideCommand{approval_id, engine::Decision::kApprove, kReviewer, "ok"},
                   [this, run_id, decide_sent](Result<engine::ApprovalView> result) {
                     asio::post(io_, [this, run_id, decide_sent, ok = result.ok()] {
                       if (!ok) return Finish("decide failed for " + run_id);
                       report_.resumed.Add(NowMs() - decide_sent);
                       Waiting& waiting = waiting_[run_id];
                       waiting.decided = true;
                       if (waiting.started) Complete(run_id);
                     });
                   });
  }

  void Complete(const std::string& run_id) {
    auto it = waiting_.find(run_id);
    Waiting waiting = it->second;
    waiting_.erase(it);
    report_.notified.Add(waiting.notified_at - waiting.started_at);
    Check(waiting.index, waiting.started_at, run_id);
  }

  void Check(int index, double started_at, const std::string& run_id) {
    auto run = engine_.GetRun(run_id);
    if (!run.ok() || run->status != engine::RunStatus::kCompleted || !run->output) {
      return Finish("run " + run_id + " did not complete");
    }
    std::string problem = CheckW1Output(index, *run->output, kReviewer);
    if (!problem.empty()) return Finish(problem);
    report_.end_to_end.Add(NowMs() - started_at);
    Finish("");
  }

  void Finish(const std::string& error) {
    if (!error.empty() && report_.errors.size() < 20) report_.errors.push_back(error);
    ++finished_;
    StartNext();
  }

  engine::Engine& engine_;
  asio::io_context io_;
  int next_, end_, count_, concurrency_;
  bool decide_;
  int finished_ = 0;
  std::unordered_map<std::string, Waiting> waiting_;
  PhaseReport report_;
};

}  // namespace

PhaseReport RunEmbeddedPhase(engine::Engine& engine, int first, int count, int concurrency,
                             bool decide) {
  return EmbeddedDriver(engine, first, count, concurrency, decide).Run();
}

}  // namespace assent::bench
