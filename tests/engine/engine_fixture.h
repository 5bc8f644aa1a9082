// EngineTest: an Engine over a MemEventLog, with helpers that run its asynchronous commands
// and wait (bounded) for their outcome. Shared by the engine's test files. When a test ends,
// every run it committed passes the replay-equality check (replay_check.h).
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "engine/internal/open_engine.h"
#include "storage/mem_event_log.h"
#include "tests/engine/replay_check.h"
#include "tests/engine/run_state_printer.h"

namespace assent::engine::engine_testing {

namespace json = boost::json;

constexpr auto kWait = std::chrono::seconds(20);

// The bootstrap admin, who may see and do everything: the scenario tests act as admins unless
// they test access (access_test.cc).
inline const Principal kAdmin{.id = "admin", .admin = true};

// A signed-in user who is no admin: what they may do is what access lists give them.
inline Principal User(std::string id, std::vector<std::string> groups = {}) {
  return Principal{.id = std::move(id), .groups = std::move(groups)};
}

// An admin caller named `id`, as the api layer would hand one over after authenticating it.
inline Actor ActorNamed(std::string id) {
  return Actor{.principal = {.id = std::move(id), .admin = true},
               .channel = Channel::kRest,
               .request_id = "t"};
}

// `command`, given by the admin.
inline StartRunCommand AsAdmin(StartRunCommand command) {
  command.actor = ActorNamed("admin");
  return command;
}

// The answer of an asynchronous engine command, collected later: for commands that answer
// only after something else the test does (a decision, a shutdown).
template <typename T>
class Outcome {
 public:
  // The callback to hand the command. A second answer throws (std::future_error).
  Callback<T> Receiver() const {
    return [promise = promise_](Result<T> result) { promise->set_value(std::move(result)); };
  }
  // Waits (bounded) for the answer.
  Result<T> Get() {
    if (future_.wait_for(kWait) != std::future_status::ready) {
      ADD_FAILURE() << "engine command did not complete within 20 s";
      return Status::Unavailable("timed out");
    }
    return future_.get();
  }

 private:
  std::shared_ptr<std::promise<Result<T>>> promise_ = std::make_shared<std::promise<Result<T>>>();
  std::future<Result<T>> future_ = promise_->get_future();
};

// Runs an asynchronous engine command and waits (bounded) for its durable outcome.
template <typename T, typename Start>
Result<T> Await(Start start) {
  Outcome<T> outcome;
  start(outcome.Receiver());
  return outcome.Get();
}

// Polls a durable condition with a bound; used where the engine continues on its own (after
// an http step) and no callback marks the moment.
template <typename Predicate>
bool Eventually(Predicate predicate) {
  auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::yield();
  }
  return false;
}

constexpr const char* kReviewFlow = R"({"steps": [
  {"id": "extract", "type": "code", "lua": "return {amount = input.amount, vendor = input.vendor}"},
  {"id": "check", "type": "condition", "if": "steps.extract.amount > 5000", "then": "review", "else": "pay"},
  {"id": "review", "type": "approval", "message": "Pay {{steps.extract.amount}} to {{steps.extract.vendor}}?",
   "show": {"amount": "{{steps.extract.amount}}", "vendor": "{{steps.extract.vendor}}"}},
  {"id": "pay", "type": "code", "lua": "return {payment_id = 'pay-' .. input.invoice_id}"},
  {"id": "notify", "type": "code", "lua": "return {payment_id = steps.pay.payment_id, approved_by = steps.review and steps.review.reviewer or 'auto'}"}
]})";

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  // The replay-equality check of every run the engine committed, once it has stopped.
  void TearDown() override {
    engine_.reset();
    for (const auto& [run_id, live] : live_.Take()) EXPECT_TRUE(MatchesReplay(live, log_));
  }

  void Reopen(EngineOptions options = {.http_retry_backoff_ms = 1}, EngineHooks hooks = {}) {
    engine_.reset();
    hooks.observer = &live_;
    auto opened = OpenEngine(log_, options, std::move(hooks));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    engine_ = std::move(opened).value();
  }

  void ApplyReviewFlow() { ApplyWorkflow("invoice", kReviewFlow); }

  void ApplyWorkflow(const std::string& name, const std::string& document) {
    auto applied = engine_->ApplyWorkflow(kAdmin, name, json::parse(document));
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  }

  std::string Start(const std::string& workflow, const std::string& input,
                    const std::string& key = "") {
    auto started = Await<StartRunResult>([&](auto done) {
      engine_->StartRun(AsAdmin(StartRunCommand{workflow, json::parse(input).as_object(), key}), done);
    });
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    return started.ok() ? started->run_id : "";
  }

  // `who` decides, as the api layer hands a command over once it has authenticated them.
  Result<ApprovalView> DecideAs(const Principal& who, const std::string& approval_id,
                                Decision decision = Decision::kApprove,
                                const std::string& comment = "") {
    return Await<ApprovalView>([&](auto done) {
      engine_->Decide(DecideCommand{approval_id, decision, {.principal = who}, comment}, done);
    });
  }

  Result<ApprovalView> DecideOn(const std::string& approval_id, Decision decision,
                                const std::string& comment = "") {
    return Await<ApprovalView>([&](auto done) {
      engine_->Decide(DecideCommand{approval_id, decision, ActorNamed("alice"), comment}, done);
    });
  }

  // One page of up to `limit` runs (or approvals) in `status` (nullopt: every status), newest
  // first, as the admin sees them.
  Result<std::vector<RunView>> ListRunsAsAdmin(std::optional<RunStatus> status, size_t limit) {
    auto page = engine_->ListRuns(kAdmin, RunQuery{.status = status, .limit = limit});
    if (!page.ok()) return page.status();
    return page->runs;
  }
  Result<std::vector<ApprovalView>> ListApprovalsAsAdmin(std::optional<ApprovalStatus> status,
                                                         size_t limit) {
    auto page = engine_->ListApprovals(kAdmin, ApprovalQuery{.status = status, .limit = limit});
    if (!page.ok()) return page.status();
    return page->approvals;
  }

  RunView Run(const std::string& run_id) {
    auto run = engine_->GetRun(kAdmin, run_id);
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    return run.ok() ? *run : RunView{};
  }

  // The delivery ids the notify outbox holds: webhook deliveries not yet sent.
  std::vector<std::string> OutboxIds() {
    std::vector<std::string> ids;
    Status scanned = log_.ScanIndex(storage::Index::kNotifyOutbox, "",
                                    [&](std::string_view key, std::string_view) {
                                      ids.emplace_back(key);
                                      return true;
                                    });
    EXPECT_TRUE(scanned.ok()) << scanned.ToString();
    return ids;
  }

  std::vector<std::string> EventTypes(const std::string& run_id) {
    std::vector<std::string> types;
    auto events = engine_->GetEvents(kAdmin, run_id);
    if (events.ok()) {
      for (const EventView& event : *events) types.push_back(event.type);
    }
    return types;
  }

  storage::MemEventLog log_;
  LiveStates live_;  // before engine_: the engine reports to it until it is destroyed
  std::unique_ptr<Engine> engine_;
};

}  // namespace assent::engine::engine_testing
