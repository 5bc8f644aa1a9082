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

fb::RunFailedT RunFailed(std::string error) {
  fb::RunFailedT failed;
  failed.error = std::move(error);
  return failed;
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
    txn.Emit(RunFailed("rejected by alice: not our vendor"));
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

// Format 5: the approval language's events and fields (durable timers, quorums, edits,
// reminders, escalation ladders, tool-level gates, run retries, outside agents' gates).

// A quorum of two: one vote with edits, a reminder, an escalation to rung 1, then still
// pending (its timer is in the timers index).
void VotedRemindedEscalated(GoldenRuns& runs) {
  const std::string run = "run_golden_d";
  Commit(runs, run, kStartMs + 3000, [](engine::RunTxn& txn) {
    txn.Emit(Started(R"({"amount":7200,"vendor":"ACME"})", "idem-d"));
    fb::ApprovalRequestedT requested = Requested("run_golden_d.2", "review");
    requested.due_at_ms = kStartMs + 3000 + 3'600'000;
    requested.remind_at_ms = kStartMs + 3000 + 1'800'000;
    requested.quorum = 2;
    requested.reject_quorum = 1;
    txn.Emit(std::move(requested));
  });
  Commit(runs, run, kStartMs + 3100, [](engine::RunTxn& txn) {
    fb::ApprovalDecidedT vote = Decided("run_golden_d.2", fb::Decision::Approve, "less");
    vote.channel = fb::Channel::Stream;
    vote.request_id = "req-d-1";
    vote.edits = R"({"amount":7000})";
    vote.show_before = R"({"amount":7200,"vendor":"ACME","note":"caf\u00e9 \u2713"})";
    vote.edit_diff = R"([{"path":"/amount","op":"changed","before":7200,"after":7000}])";
    txn.Emit(std::move(vote));
  });
  Commit(runs, run, kStartMs + 1'803'000, [](engine::RunTxn& txn) {
    fb::ApprovalRemindedT reminded;
    reminded.approval_id = "run_golden_d.2";
    reminded.rung = 0;
    txn.Emit(std::move(reminded));
  });
  Commit(runs, run, kStartMs + 3'603'000, [](engine::RunTxn& txn) {
    fb::ApprovalEscalatedT escalated;
    escalated.approval_id = "run_golden_d.2";
    escalated.rung = 1;
    escalated.due_at_ms = kStartMs + 3'603'000 + 7'200'000;
    escalated.remind_at_ms = kStartMs + 3'603'000 + 3'600'000;
    txn.Emit(std::move(escalated));
  });
}

// An outside agent's gate (a run of the built-in "~gate"), opened with a key, timed out.
void GateTimedOut(GoldenRuns& runs) {
  const std::string run = "run_golden_e";
  Commit(runs, run, kStartMs + 4000, [](engine::RunTxn& txn) {
    fb::RunStartedT started;
    started.workflow = "~gate";
    started.version = 1;
    started.input =
        R"({"title":"Refund A-1001","message":"Refund A-1001?","context":{"amount":120},)"
        R"("approvers":["group:support-leads","lead"],"timeout":"30m"})";
    started.idempotency_key = "5:agent:refund-a-1001";
    started.started_by = "agent";
    started.channel = fb::Channel::Rest;
    started.request_id = "req-e-1";
    txn.Emit(std::move(started));
    fb::ApprovalRequestedT requested;
    requested.approval_id = "run_golden_e.2";
    requested.step_id = "decision";
    requested.message = "Refund A-1001?";
    requested.show = R"({"amount":120})";
    requested.due_at_ms = kStartMs + 4000 + 1'800'000;
    requested.title = "Refund A-1001";
    requested.approvers = {"group:support-leads", "lead"};
    txn.Emit(std::move(requested));
  });
  Commit(runs, run, kStartMs + 1'804'000, [](engine::RunTxn& txn) {
    fb::ApprovalTimedOutT timed_out;
    timed_out.approval_id = "run_golden_e.2";
    timed_out.action = fb::TimeoutAction::Reject;
    txn.Emit(std::move(timed_out));
    txn.Emit(RunFailed("approval run_golden_e.2 timed out: rejected"));
  });
}

// A tool-level gate lets a call run, the call fails for good, the run is retried, the call
// succeeds and a wait step sleeps.
void GatedCallRetried(GoldenRuns& runs) {
  const std::string run = "run_golden_f";
  Commit(runs, run, kStartMs + 5000, [](engine::RunTxn& txn) {
    txn.Emit(Started(R"({"amount":300})", ""));
    txn.Emit(Requested("run_golden_f.2", "pay"));
  });
  Commit(runs, run, kStartMs + 5100, [](engine::RunTxn& txn) {
    txn.Emit(Decided("run_golden_f.2", fb::Decision::Approve, ""));
    fb::StepStartedT started = StepStarted("pay", 1);
    started.gate_approval_id = "run_golden_f.2";
    txn.Emit(std::move(started));
  });
  Commit(runs, run, kStartMs + 5200, [](engine::RunTxn& txn) {
    fb::StepFailedT failed;
    failed.step_id = "pay";
    failed.attempt = 1;
    failed.error = "HTTP 500: down";
    failed.will_retry = false;
    failed.give_up_at_ms = kStartMs + 5200 + 600'000;
    txn.Emit(std::move(failed));
    txn.Emit(RunFailed("step pay: HTTP 500: down"));
  });
  Commit(runs, run, kStartMs + 5300, [](engine::RunTxn& txn) {
    fb::RunRetriedT retried;
    retried.by = "alice";
    retried.step_id = "pay";
    retried.channel = fb::Channel::Rest;
    retried.request_id = "req-f-1";
    txn.Emit(std::move(retried));
    txn.Emit(StepStarted("pay", 1));
  });
  Commit(runs, run, kStartMs + 5400, [](engine::RunTxn& txn) {
    txn.Emit(Completed("pay", R"({"payment_id":"p-2"})", "cool_off"));
    fb::StepStartedT wait = StepStarted("cool_off", 1);
    wait.wake_at_ms = kStartMs + 5400 + 86'400'000;
    txn.Emit(std::move(wait));
  });
}

}  // namespace

GoldenRuns BuildGoldenRuns(int format_version) {
  GoldenRuns runs;
  ApprovedThenCancelled(runs);
  Rejected(runs);
  Completes(runs);
  if (format_version >= 5) {
    VotedRemindedEscalated(runs);
    GateTimedOut(runs);
    GatedCallRetried(runs);
  }
  return runs;
}

}  // namespace assent::golden
