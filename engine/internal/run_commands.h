// The deciders: what each command does to one run, as events emitted into a RunTxn.
//
// Pure decision logic: no threads, no I/O, no clock (time comes with the RunTxn). A command the
// run's state refuses returns an error and emits nothing. The engine commits what these emit
// and runs effects (HTTP calls, retry timers, notifications) only once that is durable.
#pragma once

#include <string>
#include <string_view>

#include "engine/internal/definition.h"
#include "engine/engine.h"
#include "engine/internal/http_call.h"
#include "engine/internal/lua_sandbox.h"
#include "engine/internal/run_txn.h"

namespace assent::engine {

struct StepContext {
  const WorkflowDefinition& definition;
  LuaSandbox& lua;
  const EngineOptions& options;
};

// A run id is "run_" + the start's millisecond since the epoch as 12 hex digits + 16 random hex
// digits, so ids sort by start time. This is the part before the random digits: every id of a
// run started in millisecond `ms` starts with it, and sorts after it.
std::string RunIdTimePrefix(int64_t ms);

// An approval's id names its run and the seq of its ApprovalRequested: "<run id>.<seq>".
std::string MakeApprovalId(std::string_view run_id, uint64_t seq);
std::string_view RunIdOfApproval(std::string_view approval_id);  // empty when malformed

// RunStarted, then as far as the run can go.
void StartRun(RunTxn& txn, const StepContext& context, const StartRunCommand& command);

// Runs pure steps inline until the run finishes, fails, waits for an approval or must call out
// (an http step's StepStarted). Does nothing for a run that is not running or is mid-step.
void Advance(RunTxn& txn, const StepContext& context);

Result<ApprovalView> Decide(RunTxn& txn, const StepContext& context, const DecideCommand& command);
// The approval's due time has come (by the transaction's clock) and it is still pending: the
// next rung of its step's `escalate` ladder takes it (ApprovalEscalated), or when none is left
// its step's on_timeout decides (ApprovalTimedOut, then the step's completion or the run's
// failure) and the run goes on. Anything else (decided meanwhile, not due yet) emits nothing.
void TimeOutApproval(RunTxn& txn, const StepContext& context, const std::string& approval_id);
// The approval's reminder has come due and it is still pending: ApprovalReminded, which tells
// its approvers again. Anything else emits nothing.
void RemindApprovers(RunTxn& txn, const std::string& approval_id);
// Whether the run is in the wait step whose timer id is `timer_id` (index_keys.h WaitTimerId).
bool WaitsOn(const RunState& state, std::string_view timer_id);
// The wait step's timer came due (by the transaction's clock) and the run still waits on it:
// the step completes and the run goes on. Anything else emits nothing.
void WakeUp(RunTxn& txn, const StepContext& context, const std::string& timer_id);
// kTooLarge once the approval has max_comments_per_approval comments.
Result<ApprovalView> AddComment(RunTxn& txn, const StepContext& context,
                                const CommentCommand& command);
Status Cancel(RunTxn& txn, const CancelCommand& command);

// The request an in-flight http step makes: templates rendered against the run's state, plus
// an Idempotency-Key that is the same on every attempt of this step of this run.
Result<HttpCallRequest> BuildHttpRequest(const RunState& state, const StepDefinition& step,
                                         const EngineOptions& options);

// Records the outcome of attempt `attempt` of http step `step_id` and moves on: completed,
// failed with a retry to come (its time, from the step's retry policy, in the StepFailed), or
// failed for good: then the step's on_error, or the run fails. A stale outcome (the run moved
// on, was cancelled, or it is for another attempt) is ignored and emits nothing.
void CompleteHttpStep(RunTxn& txn, const StepContext& context, std::string_view step_id,
                      uint32_t attempt, const Result<HttpCallResponse>& outcome);

// Starts the next attempt of the step whose retry is pending, or re-runs a step that had
// started but never completed (after a crash): StepStarted with attempt + 1.
void RestartStep(RunTxn& txn);
// The next attempt after a failure: as RestartStep, but a gated step asks its gate again first
// when it has `approve_retries`, or when no approval let its last attempt run.
void RetryStep(RunTxn& txn, const StepContext& context);

// Whether the run's pending retry is the one whose timer is due at `due_at_ms`.
bool RetryWaitsOn(const RunState& state, int64_t due_at_ms);
// The retry timer came due (by the transaction's clock) and the run still waits on it: the
// step's next attempt starts (RetryStep). Anything else emits nothing.
void StartRetry(RunTxn& txn, const StepContext& context);

// A failed run runs again from the step it failed at (RunRetried), with a fresh attempt
// budget: an http step's next attempt, any other step afresh. kConflict for a run that is not
// failed.
Status RetryRun(RunTxn& txn, const StepContext& context, const RetryCommand& command);

}  // namespace assent::engine
