#include "tests/golden/golden_runs.h"

#include <functional>

#include "engine/internal/run_txn.h"

namespace assent::golden {
namespace {

constexpr int64_t kStartMs = 1764000000000;  // 2025-11-24, fixed so the bytes never vary

// One commit of run `run_id`: `emit` emits its events into a RunTxn at `at_ms`.
void Commit(GoldenRuns& runs, const std::string& run_id, int64_t at_ms,
            const std::function<void(engine::RunTxn&)>& emit) {
  engine::RunState& run = runs.final_states[run_id];
  engine::RunTxn txn = run.last_seq == 0 ? engine::RunTxn::NewRun(run_id, run, at_ms)
                                         : engine::RunTxn(run, at_ms);
  emit(txn);
  runs.commits.push_back(txn.Finish());
  runs.states_after_commits.push_back(run);
}

fb::RunStartedT Started(std::string input, std::string idempotency_key) {
  fb::RunStartedT started;
  started.workflow = "invoice";
  started.version = 2;
  started.input = std::move(input);
  started.idempotency_key = std::move(idempotency_key);
  return started;
}

fb::StepCompletedT Completed(std::string step, std::string output, std::string next) {
  fb::StepCompletedT completed;
  completed.step_id = std::move(step);
  completed.output = std::move(output);
  completed.next = std::move(next);
  return completed;
}

fb::StepStartedT StepStarted(std::string step, uint32_t attempt) {
  fb::StepStartedT started;
  started.step_id = std::move(step);
  started.attempt = attempt;
  return started;
}

fb::ApprovalRequestedT Requested(std::string id, std::string step) {
  fb::ApprovalRequestedT requested;
  requested.approval_id = std::move(id);
  requested.step_id = std::move(step);
  requested.message = "Pay 7200 to ACME?\nSee the draft below.";
  requested.show = R"({"amount":7200,"vendor":"ACME","note":"caf\u00e9 \u2713"})";
  return requested;
}

fb::ApprovalDecidedT Decided(std::string id, fb::Decision decision, std::string comment) {
  fb::ApprovalDecidedT decided;
  decided.approval_id = std::move(id);
  decided.decision = decision;
  decided.reviewer = "alice";
  decided.comment = std::move(comment);
  return decided;
}

// A run that retries an http step, is commented on, approved, asks again, and is cancelled.
void ApprovedThenCancelled(GoldenRuns& runs) {
  const std::string run = "run_golden_a";
  Commit(runs, run, kStartMs, [](engine::RunTxn& txn) {
    txn.Emit(Started(R"({"amount":7200,"vendor":"ACME"})", "idem-a"));
    txn.Emit(Completed("extract", R"({"amount":7200})", "pay"));
    txn.Emit(StepStarted("pay", 1));
  });
  Commit(runs, run, kStartMs + 100, [](engine::RunTxn& txn) {
    fb::StepFailedT failed;
    failed.step_id = "pay";
    failed.attempt = 1;
    failed.error = "HTTP 503: busy";
    failed.will_retry = true;
    txn.Emit(std::move(failed));
  });
  Commit(runs, run, kStartMs + 300, [](engine::RunTxn& txn) {
    txn.Emit(StepStarted("pay", 2));
  });
  Commit(runs, run, kStartMs + 400, [](engine::RunTxn& txn) {
    txn.Emit(Completed("pay", R"({"payment_id":"p-1"})", "review"));
    txn.Emit(Requested("run_golden_a.7", "review"));
  });
  Commit(runs, run, kStartMs + 500, [](engine::RunTxn& txn) {
    fb::CommentAddedT comment;
    comment.approval_id = "run_golden_a.7";
    comment.author = "carol";
    comment.text = "looks fine";
    txn.Emit(std::move(comment));
  });
  Commit(runs, run, kStartMs + 600, [](engine::RunTxn& txn) {
    txn.Emit(Decided("run_golden_a.7", fb::Decision::Approve, "ok"));
    txn.Emit(Completed("review", R"({"decision":"approve","reviewer":"alice","comment":"ok"})",
                       "second"));
    txn.Emit(Requested("run_golden_a.11", "second"));
  });
  Commit(runs, run, kStartMs + 700, [](engine::RunTxn& txn) {
    fb::RunCancelledT cancelled;
    cancelled.by = "bob";
    cancelled.reason = "duplicate";
    txn.Emit(std::move(cancelled));
  });
}

// A run rejected, whose rejection fails it.
void Rejected(GoldenRuns& runs) {
  const std::string run = "run_golden_b";
  Commit(runs, run, kStartMs + 1000, [](engine::RunTxn& txn) {
    txn.Emit(Started(R"({"amount":9000})", ""));
    txn.Emit(Requested("run_golden_b.2", "review"));
  });
  Commit(runs, run, kStartMs + 1100, [](engine::RunTxn& txn) {
    txn.Emit(Decided("run_golden_b.2", fb::Decision::Reject, "not our vendor"));
    fb::RunFailedT failed;
    failed.error = "rejected by alice: not our vendor";
    txn.Emit(std::move(failed));
  });
}

// A run that completes in one commit.
void Completes(GoldenRuns& runs) {
  const std::string run = "run_golden_c";
  Commit(runs, run, kStartMs + 2000, [](engine::RunTxn& txn) {
    txn.Emit(Started(R"({"amount":10})", "idem-c"));
    txn.Emit(Completed("extract", R"({"amount":10})", "end"));
    fb::RunCompletedT completed;
    completed.output = R"({"amount":10})";
    txn.Emit(std::move(completed));
  });
}

}  // namespace

GoldenRuns BuildGoldenRuns() {
  GoldenRuns runs;
  ApprovedThenCancelled(runs);
  Rejected(runs);
  Completes(runs);
  return runs;
}

}  // namespace assent::golden
