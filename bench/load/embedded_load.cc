#include "bench/load/embedded_load.h"

#include <chrono>
#include <stdexcept>
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
  // An approval run between its notification, its decision and its start's answer.
  struct Waiting {
    double notified_at = 0;
    bool decided = false;
    bool finished = false;
  };

  void StartNext() {
    if (next_ >= end_) return;
    int index = next_++;
    double started_at = NowMs();
    engine::StartRunCommand command{kW1Name, W1Input(index), ""};
    command.actor.principal = {.id = "admin", .admin = true};  // W1 defines no access lists
    // Answered with the finished run, whose result is checked without a read. Without a
    // reviewer, an approval run is left waiting: the shortest wait answers with it as it
    // stands, to check that it does wait.
    bool left_waiting = !decide_ && W1NeedsApproval(index);
    command.wait = left_waiting ? std::chrono::milliseconds(1) : std::chrono::seconds(60);
    engine_.StartRun(std::move(command),
                     [this, index, started_at](Result<engine::StartRunResult> result) {
                       asio::post(io_, [this, index, started_at, result = std::move(result)] {
                         OnAnswered(index, started_at, result);
                       });
                     });
  }

  void OnAnswered(int index, double started_at, const Result<engine::StartRunResult>& result) {
    if (!result.ok()) return Finish("start: " + result.status().ToString());
    const std::string& run_id = result->run_id;
    if (!decide_ && W1NeedsApproval(index)) {
      bool waits = result->run && result->run->status == engine::RunStatus::kWaiting &&
                   result->run->pending_approvals.size() == 1;
      return Finish(waits ? "" : "run " + run_id + " does not wait for its approval");
    }
    if (!result->run || result->run->status != engine::RunStatus::kCompleted ||
        !result->run->output) {
      return Finish("run " + run_id + " did not complete");
    }
    if (W1NeedsApproval(index)) {
      auto it = waiting_.find(run_id);
      if (it == waiting_.end()) return Finish("run " + run_id + " finished unseen by the reviewer");
      report_.notified.Add(it->second.notified_at - started_at);
      it->second.finished = true;
      if (it->second.decided) waiting_.erase(it);
    }
    std::string problem = CheckW1Output(index, *result->run->output, kReviewer);
    if (!problem.empty()) return Finish(problem);
    report_.end_to_end.Add(NowMs() - started_at);
    Finish("");
  }

  void OnNotified(const std::string& run_id, const std::string& approval_id) {
    waiting_[run_id].notified_at = NowMs();
    double decide_sent = NowMs();
    engine_.Decide(engine::DecideCommand{approval_id, engine::Decision::kApprove, {.principal = {.id = kReviewer, .admin = true}}, "ok"},
                   [this, run_id, decide_sent](Result<engine::ApprovalView> result) {
                     asio::post(io_, [this, run_id, decide_sent, ok = result.ok()] {
                       // The run's start still answers (when its wait is over): it finishes it.
                       if (!ok) return Error("decide failed for " + run_id);
                       report_.resumed.Add(NowMs() - decide_sent);
                       auto it = waiting_.find(run_id);
                       if (it == waiting_.end()) return Error("decided unseen run " + run_id);
                       it->second.decided = true;
                       if (it->second.finished) waiting_.erase(it);
                     });
                   });
  }

  void Error(const std::string& error) {
    if (report_.errors.size() < 20) report_.errors.push_back(error);
  }

  void Finish(const std::string& error) {
    if (!error.empty()) Error(error);
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

EmbeddedEngine EmbeddedEngine::Open(const std::string& data_dir,
                                    const std::string& approval_timeout) {
  auto log = storage::RocksEventLog::Open(data_dir);
  if (!log.ok()) throw std::runtime_error("open log: " + log.status().ToString());
  auto engine = engine::Engine::Open(**log, engine::EngineOptions{});
  if (!engine.ok()) throw std::runtime_error("open engine: " + engine.status().ToString());
  if (auto applied = (*engine)->ApplyWorkflow({.id = "admin", .admin = true}, kW1Name,
                                                 W1Definition(kW1Name, kW1Editors,
                                                              approval_timeout));
      !applied.ok()) {
    throw std::runtime_error("apply w1: " + applied.status().ToString());
  }
  return EmbeddedEngine{std::move(log).value(), std::move(engine).value()};
}

PhaseReport RunEmbeddedPhase(engine::Engine& engine, int first, int count, int concurrency,
                             bool decide) {
  return EmbeddedDriver(engine, first, count, concurrency, decide).Run();
}

}  // namespace assent::bench
