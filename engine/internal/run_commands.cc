#include "engine/internal/run_commands.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include <boost/json/serialize.hpp>

#include "base/json_text.h"
#include "engine/internal/access_rules.h"
#include "engine/internal/agent_gate.h"
#include "engine/internal/approval_edits.h"
#include "engine/internal/duration_text.h"
#include "engine/internal/http_retry.h"
#include "engine/internal/http_step_rules.h"
#include "engine/internal/http_wire_request.h"
#include "engine/internal/limits.h"
#include "engine/internal/lua_cpu_budget.h"
#include "engine/internal/index_keys.h"
#include "engine/internal/notify_outbox.h"
#include "engine/internal/template.h"
#include "engine/internal/time_text.h"
#include "engine/internal/tool_gate.h"

namespace assent::engine {
namespace {

namespace json = boost::json;

// A definition whose pure steps loop forever would otherwise spin its shard (and the io thread
// running it). With EngineOptions' default of 1M Lua instructions per step, this bounds one
// Advance to about 100M instructions.
constexpr int kMaxStepsPerAdvance = 100;

json::object TemplateContext(const RunState& state) {
  return json::object{{"input", state.input}, {"steps", state.steps}};
}

void FailRun(RunTxn& txn, std::string error) {
  fb::RunFailedT failed;
  failed.error = std::move(error);
  txn.Emit(std::move(failed));
}

// A pure step either completes (going to `next`) or fails the run: it has no effect to retry.
// An output over the size limit fails it.
void FinishPureStep(RunTxn& txn, const StepContext& context, const StepDefinition& step,
                    Result<json::value> output, std::string next) {
  std::string serialized;
  if (output.ok()) {
    serialized = json::serialize(*output);
    Status sized = CheckSize("the step's output", serialized.size(),
                             context.options.max_step_output_bytes, "max_step_output_bytes");
    if (!sized.ok()) output = sized;
  }
  if (!output.ok()) {
    fb::StepFailedT failed;
    failed.step_id = step.id;
    failed.attempt = 1;  // pure steps are not retried: the same input gives the same failure
    failed.error = output.status().message();
    failed.will_retry = false;
    txn.Emit(std::move(failed));
    FailRun(txn, "step '" + step.id + "' failed: " + output.status().message());
    return;
  }
  fb::StepCompletedT completed;
  completed.step_id = step.id;
  completed.output = std::move(serialized);
  completed.next = std::move(next);
  txn.Emit(std::move(completed), std::move(output).value());
}

void EmitStepStarted(RunTxn& txn, const std::string& step_id, uint32_t attempt,
                     int64_t wake_at_ms = 0, std::string gate_approval_id = {}) {
  fb::StepStartedT started;
  started.step_id = step_id;
  started.attempt = attempt;
  started.wake_at_ms = wake_at_ms;
  started.gate_approval_id = std::move(gate_approval_id);
  txn.Emit(std::move(started));
}

void RunCode(RunTxn& txn, const StepContext& context, const StepDefinition& step) {
  const RunState& state = txn.state();
  FinishPureStep(txn, context, step, context.lua.RunChunk(step.lua, state.input, state.steps),
                 context.definition.NextAfter(step));
}

// What a wait step's output says: when it woke up (as due; the timer may fire a little later).
json::value WaitOutput(int64_t wake_at_ms) {
  return json::object{{"woke_at", FormatRfc3339(wake_at_ms)}};
}

// A wait step: until its time, the run waits on a durable timer (RunTxn::Finish arms it). A
// time already past goes on at once; a bad `until` fails the step.
void StartWait(RunTxn& txn, const StepContext& context, const StepDefinition& step) {
  int64_t wake_at_ms = txn.now_ms() + step.wait_for_ms;
  if (!step.wait_until.empty()) {
    Result<json::value> until = RenderValue(json::value(step.wait_until), TemplateContext(txn.state()));
    Result<int64_t> time = until.ok() ? TimeOf(*until) : Result<int64_t>(until.status());
    if (!time.ok()) {
      return FinishPureStep(txn, context, step, Status::InvalidArgument("'until': " + time.status().message()),
                            "");
    }
    wake_at_ms = *time;
  }
  if (wake_at_ms <= txn.now_ms()) {
    return FinishPureStep(txn, context, step, WaitOutput(wake_at_ms),
                          context.definition.NextAfter(step));
  }
  EmitStepStarted(txn, step.id, 1, wake_at_ms);
}

// A notify step's output: its rendered message and the id its delivery goes by. The delivery
// itself is made from this output when the step's completion commits (notify_outbox.h), so the
// run never waits on the receiver.
Result<json::value> NoticeOutput(const RunState& state, const StepDefinition& step) {
  Result<std::string> message = RenderString(step.message, TemplateContext(state));
  if (!message.ok()) return Status::InvalidArgument("'message': " + message.status().message());
  // The StepCompleted that carries this output is the run's next event.
  return json::value(json::object{
      {"delivery_id", NoticeDeliveryId(state.run_id, state.last_seq + 1)},
      {"message", std::move(message).value()}});
}

// The approval `step` asks for (an approval step's, or a gated step's before its call), showing
// `show` with `message`. Emits nothing and says why when they cannot be rendered or kept.
// `gate`: the request of an outside agent's gate (agent_gate.h), whose title, approvers and
// timeout the approval takes instead of its step's.
Status EmitApprovalRequest(RunTxn& txn, const StepContext& step_context,
                           const StepDefinition& step, Result<std::string> message,
                           Result<json::value> show, const AgentGateRequest* gate = nullptr) {
  const RunState& state = txn.state();
  const EngineOptions& options = step_context.options;
  if (!message.ok()) show = message.status();
  // Rendered values nest inside `show`, so it can be deeper than anything that came in; stored
  // so, the approval could not be read back.
  if (show.ok()) {
    if (Status writable = CheckJsonWritable(*show, "show"); !writable.ok()) show = writable;
  }
  std::string shown = show.ok() ? json::serialize(*show) : std::string();
  Status sized = !show.ok() ? show.status()
                            : CheckSize("the approval's message", message->size(),
                                        options.max_approval_message_bytes,
                                        "max_approval_message_bytes");
  if (sized.ok()) {
    sized = CheckSize("the approval's show", shown.size(), options.max_approval_show_bytes,
                      "max_approval_show_bytes");
  }
  if (!sized.ok()) return sized;
  fb::ApprovalRequestedT requested;
  requested.approval_id = MakeApprovalId(state.run_id, state.last_seq + 1);
  requested.step_id = step.id;
  requested.message = std::move(message).value();
  requested.show = std::move(shown);
  const int64_t timeout_ms = gate != nullptr ? gate->timeout_ms : step.approval_timeout_ms;
  if (timeout_ms > 0) requested.due_at_ms = txn.now_ms() + timeout_ms;
  if (gate != nullptr) {
    requested.title = gate->title;
    requested.approvers = gate->approvers;
  }
  // 1 stays absent, as before quorums (run_state.cc reads 0 as 1).
  if (step.quorum > 1) requested.quorum = step.quorum;
  if (step.reject_quorum > 1) requested.reject_quorum = step.reject_quorum;
  if (step.remind_after_ms > 0) requested.remind_at_ms = txn.now_ms() + step.remind_after_ms;
  txn.Emit(std::move(requested), std::move(show).value());
  return Status::Ok();
}

// An outside agent's gate: its run's input is the request, checked when the gate opened.
void RequestAgentGate(RunTxn& txn, const StepContext& step_context, const StepDefinition& step) {
  auto gate = ParseAgentGateRequest(txn.state().input);
  Status requested = gate.status();
  if (gate.ok()) {
    requested = EmitApprovalRequest(txn, step_context, step, gate->message,
                                    json::value(gate->context), &*gate);
  }
  if (!requested.ok()) FinishPureStep(txn, step_context, step, requested, "");
}

void RequestApproval(RunTxn& txn, const StepContext& step_context, const StepDefinition& step) {
  if (step_context.definition.name == kAgentGateWorkflow) {
    return RequestAgentGate(txn, step_context, step);
  }
  json::object context = TemplateContext(txn.state());
  auto message = RenderString(step.message, context);
  Status requested = EmitApprovalRequest(txn, step_context, step, message,
                                         message.ok() ? RenderValue(step.show, context)
                                                      : Result<json::value>(message.status()));
  if (!requested.ok()) FinishPureStep(txn, step_context, step, requested, "");
}

// A gate that could not ask fails the run, recording no attempt of its step: nothing was
// called, and a retry of the run asks again.
void FailGate(RunTxn& txn, const StepDefinition& step, const std::string& problem) {
  FailRun(txn, "step '" + step.id + "' failed: 'require_approval': " + problem);
}

// A gated step's call (its attempt `attempt`), let through by approval `approval_id` (empty:
// its gate did not ask): an http step's StepStarted, a code step's run.
void Call(RunTxn& txn, const StepContext& context, const StepDefinition& step, uint32_t attempt,
          std::string approval_id) {
  if (step.type != StepType::kHttp) return RunCode(txn, context, step);
  EmitStepStarted(txn, step.id, attempt, 0, std::move(approval_id));
}

// Before a gated step's call (attempt `attempt`): an approval that shows the call, when its gate
// asks (always, or when its `when` holds on the call); else the call. An http request that
// cannot be rendered or sent (a header value with CR LF) has nothing to approve: the call goes
// ahead and fails, as any http step's would, without sending anything.
void GateCall(RunTxn& txn, const StepContext& context, const StepDefinition& step,
              uint32_t attempt) {
  const RunState& state = txn.state();
  json::object shown;
  if (step.type == StepType::kHttp) {
    auto request = BuildHttpRequest(state, step, context.options);
    if (!request.ok() || !BuildWireRequest(*request).ok()) {
      return EmitStepStarted(txn, step.id, attempt);
    }
    auto call = ShownRequest(*request);
    if (!call.ok()) return FailGate(txn, step, call.status().message());
    shown = std::move(call).value();
  } else {
    shown = ShownCode(step);
  }
  if (step.show.is_object()) {  // the gate's context for its reviewers, first: queues list it
    auto context_shown = RenderValue(step.show, TemplateContext(state));
    if (!context_shown.ok()) {
      return FailGate(txn, step, "'show': " + context_shown.status().message());
    }
    json::object call = std::move(shown);
    shown = std::move(context_shown->as_object());
    for (auto& [field, value] : call) shown[field] = std::move(value);
  }
  if (step.gate == Gate::kWhen) {
    auto asks = context.lua.EvaluateCondition(step.gate_when, state.input, state.steps, &shown);
    if (!asks.ok()) return FailGate(txn, step, asks.status().message());
    if (!*asks) return Call(txn, context, step, attempt, "");
  }
  Result<std::string> message = step.message.empty()
                                    ? DefaultGateMessage(step, shown)
                                    : RenderString(step.message, TemplateContext(state));
  Status requested =
      EmitApprovalRequest(txn, context, step, std::move(message), json::value(std::move(shown)));
  if (!requested.ok()) FailGate(txn, step, requested.message());
}

static_assert(static_cast<int>(fb::Channel::Rest) == static_cast<int>(Channel::kRest));
static_assert(static_cast<int>(fb::Channel::Stream) == static_cast<int>(Channel::kStream));
static_assert(static_cast<int>(fb::Channel::Hook) == static_cast<int>(Channel::kHook));
static_assert(static_cast<int>(fb::Channel::Schedule) == static_cast<int>(Channel::kSchedule));
fb::Channel ToStored(Channel channel) { return static_cast<fb::Channel>(channel); }

// The step's output once `approval` is decided: the deciding reviewer's decision and comment
// (what on_reject's feedback loop reads); where the step takes edits, what was approved (`show`,
// with the reviewer's edits applied, so later steps read steps.<id>.show.<field>) and the edits'
// diff when there were edits; and with a quorum who voted how. Steps without edits leave `show`
// out (later steps read those values where they came from): copying it into every approval's
// output cost W1 5% more instructions a run. The votes' comments
// stay on the approval: up to 100 of them, each up to max_comment_bytes, would make an approved
// step's output too large to keep.
json::value DecisionOutput(const StepDefinition& step, const ApprovalView& approval) {
  const DecisionView& deciding = approval.decisions.back();
  json::object output{{"decision", ToString(deciding.decision)},
                      {"reviewer", deciding.reviewer},
                      {"comment", deciding.comment}};
  if (step.edits_allowed) output["show"] = approval.ApprovedShow();
  if (!deciding.edits.empty()) output["edits"] = deciding.edit_diff;
  if (approval.quorum > 1 || approval.reject_quorum > 1) {
    json::array votes;
    for (const DecisionView& vote : approval.decisions) {
      votes.push_back(json::object{{"reviewer", vote.reviewer},
                                   {"decision", ToString(vote.decision)}});
    }
    output["votes"] = std::move(votes);
  }
  return output;
}

// The step's output when its on_timeout decided: shaped like a reviewer's decision, so later
// steps read steps.<id>.decision (and steps.<id>.show where the step takes edits) either way.
json::value TimeoutOutput(const StepDefinition& step, OnTimeout action, const std::string& waited,
                          const ApprovalView& approval) {
  json::object output{{"decision", action == OnTimeout::kApprove ? "approve" : "reject"},
                      {"reviewer", ""},
                      {"comment", ""},
                      {"timed_out", true},
                      {"waited", waited}};
  if (step.edits_allowed) output["show"] = approval.show;
  return output;
}

// The approval's timeout ran out with a rung of its step's ladder left: that rung's approvers
// decide it now, within the rung's timeout; the reminder starts again with the rung.
void Escalate(RunTxn& txn, const StepDefinition& step, const ApprovalView& approval) {
  const EscalationRung& next = step.escalate[approval.rung];
  fb::ApprovalEscalatedT escalated;
  escalated.approval_id = approval.id;
  escalated.rung = approval.rung + 1;
  escalated.due_at_ms = txn.now_ms() + next.timeout_ms;
  if (step.remind_after_ms > 0 && step.remind_after_ms < next.timeout_ms) {
    escalated.remind_at_ms = txn.now_ms() + step.remind_after_ms;
  }
  txn.Emit(std::move(escalated));
}

}  // namespace

std::string RunIdTimePrefix(int64_t ms) {
  char prefix[24];
  std::snprintf(prefix, sizeof(prefix), "run_%012llx",
                static_cast<unsigned long long>(std::max<int64_t>(ms, 0)));
  return prefix;
}

std::string MakeApprovalId(std::string_view run_id, uint64_t seq) {
  return std::string(run_id) + "." + std::to_string(seq);
}

std::string_view RunIdOfApproval(std::string_view approval_id) {
  size_t dot = approval_id.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == approval_id.size()) return {};
  uint64_t seq = 0;
  const char* end = approval_id.data() + approval_id.size();
  auto [ptr, ec] = std::from_chars(approval_id.data() + dot + 1, end, seq);
  if (ec != std::errc() || ptr != end) return {};
  return approval_id.substr(0, dot);
}

void StartRun(RunTxn& txn, const StepContext& context, const StartRunCommand& command) {
  fb::RunStartedT started;
  started.workflow = context.definition.name;
  started.version = context.definition.version;
  started.input = json::serialize(command.input);
  started.idempotency_key = command.idempotency_key;
  started.started_by = command.actor.principal.id;
  started.channel = ToStored(command.actor.channel);
  started.request_id = command.actor.request_id;
  txn.Emit(std::move(started), json::value(command.input));
  Advance(txn, context);
}

void Advance(RunTxn& txn, const StepContext& context) {
  const WorkflowDefinition& definition = context.definition;
  // The steps one Advance runs hold the shard together, so they share the Lua CPU budget: else
  // a loop of code steps each just under it would hold the shard for kMaxStepsPerAdvance budgets.
  // It counts all their work on the thread's CPU clock, not only Lua's (templates, conversions,
  // events), and the Lua runs stop when it is spent (LuaCpuBudget under a SharedCpuBudget).
  const internal::SharedCpuBudget budget(std::chrono::milliseconds(context.options.lua_max_cpu_ms));
  for (int executed = 0;; ++executed) {
    const RunState& state = txn.state();
    if (state.status != RunStatus::kRunning || state.step_in_flight || state.retry_pending) return;
    if (executed == kMaxStepsPerAdvance) {
      return FailRun(txn, "more than " + std::to_string(kMaxStepsPerAdvance) +
                              " steps ran without a pause: the definition loops");
    }
    if (executed > 0 && budget.Exceeded()) {
      return FailRun(txn, "steps run back to back took more than the CPU budget of " +
                              std::to_string(context.options.lua_max_cpu_ms) +
                              " ms without a pause");
    }
    std::string step_id = state.cursor.empty() ? definition.steps.front().id : state.cursor;
    if (step_id == kEndStep) {
      fb::RunCompletedT completed;
      completed.output = json::serialize(state.last_output);
      return txn.Emit(std::move(completed), state.last_output);
    }
    const StepDefinition* step = definition.Find(step_id);
    if (step == nullptr) {
      return FailRun(txn, "step '" + step_id + "' is not in version " +
                              std::to_string(definition.version) + " of " + definition.name);
    }
    switch (step->type) {
      // Pure steps record only their outcome: it commits in the same batch as whatever made
      // the step run, so a separate StepStarted could never be seen on its own.
      case StepType::kCode:
        if (step->gate == Gate::kNone) {
          RunCode(txn, context, *step);
        } else {
          GateCall(txn, context, *step, 1);
        }
        break;
      case StepType::kCondition: {
        auto result = context.lua.EvaluateCondition(step->condition, state.input, state.steps);
        std::string next = result.ok() && *result ? step->then_step : step->else_step;
        FinishPureStep(txn, context, *step,
                       result.ok() ? Result<json::value>(json::object{{"result", *result}})
                                   : Result<json::value>(result.status()),
                       std::move(next));
        break;
      }
      case StepType::kApproval: RequestApproval(txn, context, *step); return;
      case StepType::kHttp:
        if (step->gate == Gate::kNone) return EmitStepStarted(txn, step->id, 1);
        return GateCall(txn, context, *step, 1);
      case StepType::kNotify:
        FinishPureStep(txn, context, *step, NoticeOutput(state, *step),
                       definition.NextAfter(*step));
        break;
      case StepType::kWait:
        StartWait(txn, context, *step);
        if (txn.state().step_in_flight) return;
        break;
    }
  }
}

Result<ApprovalView> Decide(RunTxn& txn, const StepContext& context,
                            const DecideCommand& command) {
  const ApprovalView* approval = txn.state().FindApproval(command.approval_id);
  if (approval == nullptr) return Status::NotFound("approval " + command.approval_id + " not found");
  if (approval->status != ApprovalStatus::kPending) {
    return Status::Conflict("approval " + command.approval_id + " is already " +
                            std::string(ToString(approval->status)));
  }
  if (approval->DecidedBy(command.actor.principal.id)) {
    return Status::Conflict(AlreadyDecided(command.actor.principal.id, *approval));
  }
  const StepDefinition* step = context.definition.Find(approval->step_id);
  std::string step_id = approval->step_id;
  json::array edit_diff;
  if (!command.edits.empty()) {
    if (command.decision != Decision::kApprove) {
      return Status::InvalidArgument("only an approval carries edits");
    }
    if (step == nullptr) {
      return Status::FailedPrecondition("step '" + step_id + "' is not in the run's definition");
    }
    auto diff = CheckEdits(*step, *approval, command.edits, context.options.max_approval_show_bytes);
    if (!diff.ok()) return diff.status();
    edit_diff = std::move(diff).value();
  }

  fb::ApprovalDecidedT decided;
  decided.approval_id = command.approval_id;
  decided.decision =
      command.decision == Decision::kApprove ? fb::Decision::Approve : fb::Decision::Reject;
  decided.reviewer = command.actor.principal.id;
  decided.comment = command.comment;
  decided.channel = ToStored(command.actor.channel);
  decided.request_id = command.actor.request_id;
  if (!edit_diff.empty()) {  // edits that repeat what was shown change nothing
    decided.edits = json::serialize(command.edits);
    decided.show_before = json::serialize(approval->show);
    decided.edit_diff = json::serialize(edit_diff);
  }
  txn.Emit(std::move(decided));
  ApprovalView after = *txn.state().FindApproval(command.approval_id);
  if (after.status == ApprovalStatus::kPending) return after;  // a vote: its quorum is not met

  if (step == nullptr) {
    FailRun(txn, "step '" + step_id + "' is not in the run's definition");
  } else if (after.status == ApprovalStatus::kApproved && step->gate != Gate::kNone) {
    Call(txn, context, *step, txn.state().attempt + 1, after.id);
  } else if (after.status == ApprovalStatus::kApproved) {
    FinishPureStep(txn, context, *step, DecisionOutput(*step, after),
                   context.definition.NextAfter(*step));
  } else if (!step->on_reject.empty()) {
    FinishPureStep(txn, context, *step, DecisionOutput(*step, after), step->on_reject);
  } else {
    std::string error = "rejected by " + command.actor.principal.id;
    if (!command.comment.empty()) error += ": " + command.comment;
    FailRun(txn, std::move(error));
  }
  Advance(txn, context);
  return after;
}

void TimeOutApproval(RunTxn& txn, const StepContext& context, const std::string& approval_id) {
  const ApprovalView* approval = txn.state().FindApproval(approval_id);
  // Decided, cancelled or timed out already, or not due yet (the timer ran ahead of the
  // clock the run keeps): a timer that comes late or twice changes nothing.
  if (approval == nullptr || approval->status != ApprovalStatus::kPending ||
      approval->due_at_ms == 0 || approval->due_at_ms > txn.now_ms()) {
    return;
  }
  const StepDefinition* step = context.definition.Find(approval->step_id);
  if (step != nullptr && approval->rung < step->escalate.size()) {
    return Escalate(txn, *step, *approval);
  }
  const OnTimeout action = step != nullptr ? step->on_timeout : OnTimeout::kFail;
  const std::string waited = FormatDuration(approval->due_at_ms - approval->requested_at_ms);
  fb::ApprovalTimedOutT timed_out;
  timed_out.approval_id = approval_id;
  timed_out.action = static_cast<fb::TimeoutAction>(action);
  txn.Emit(std::move(timed_out));

  const std::string said = "approval " + approval_id + " was not decided within " + waited;
  if (step == nullptr) {
    FailRun(txn, said + ", and its step '" + txn.state().cursor + "' is not in the definition");
  } else if (action == OnTimeout::kApprove && step->gate != Gate::kNone) {
    Call(txn, context, *step, txn.state().attempt + 1, approval_id);
  } else if (action == OnTimeout::kApprove) {
    FinishPureStep(txn, context, *step, TimeoutOutput(*step, action, waited, *approval),
                   context.definition.NextAfter(*step));
  } else if (action == OnTimeout::kReject && !step->on_reject.empty()) {
    FinishPureStep(txn, context, *step, TimeoutOutput(*step, action, waited, *approval),
                   step->on_reject);
  } else {
    FailRun(txn, said + (action == OnTimeout::kReject ? ": rejected by its on_timeout" : ""));
  }
  Advance(txn, context);
}

void RemindApprovers(RunTxn& txn, const std::string& approval_id) {
  const ApprovalView* approval = txn.state().FindApproval(approval_id);
  // Decided or ended meanwhile, reminded already, or not due yet: a late or repeated timer
  // changes nothing.
  if (approval == nullptr || approval->status != ApprovalStatus::kPending ||
      approval->remind_at_ms == 0 || approval->remind_at_ms > txn.now_ms()) {
    return;
  }
  fb::ApprovalRemindedT reminded;
  reminded.approval_id = approval_id;
  reminded.rung = approval->rung;
  txn.Emit(std::move(reminded));
}

bool WaitsOn(const RunState& state, std::string_view timer_id) {
  return state.status == RunStatus::kRunning && state.step_in_flight && state.wake_at_ms > 0 &&
         WaitTimerId(state.run_id, state.visit_seq) == timer_id;
}

void WakeUp(RunTxn& txn, const StepContext& context, const std::string& timer_id) {
  const RunState& state = txn.state();
  if (!WaitsOn(state, timer_id) || state.wake_at_ms > txn.now_ms()) return;
  const StepDefinition* step = context.definition.Find(state.cursor);
  if (step == nullptr) {
    return FailRun(txn, "step '" + state.cursor + "' is not in version " +
                            std::to_string(context.definition.version) + " of " +
                            context.definition.name);
  }
  FinishPureStep(txn, context, *step, WaitOutput(state.wake_at_ms),
                 context.definition.NextAfter(*step));
  Advance(txn, context);
}

Result<ApprovalView> AddComment(RunTxn& txn, const StepContext& context,
                                const CommentCommand& command) {
  const ApprovalView* approval = txn.state().FindApproval(command.approval_id);
  if (approval == nullptr) return Status::NotFound("approval " + command.approval_id + " not found");
  size_t limit = context.options.max_comments_per_approval;
  if (approval->comments.size() >= limit) {
    return Status::TooLarge("approval " + command.approval_id + " has " +
                            std::to_string(approval->comments.size()) +
                            " comments, the limit (max_comments_per_approval, "
                            "--max-comments-per-approval) is " + std::to_string(limit));
  }
  fb::CommentAddedT comment;
  comment.approval_id = command.approval_id;
  comment.author = command.actor.principal.id;
  comment.text = command.text;
  comment.channel = ToStored(command.actor.channel);
  comment.request_id = command.actor.request_id;
  txn.Emit(std::move(comment));
  return *txn.state().FindApproval(command.approval_id);
}

Status Cancel(RunTxn& txn, const CancelCommand& command) {
  const RunState& state = txn.state();
  if (state.finished()) {
    return Status::Conflict("run " + state.run_id + " is already " +
                            std::string(ToString(state.status)));
  }
  fb::RunCancelledT cancelled;
  cancelled.by = command.actor.principal.id;
  cancelled.reason = command.reason;
  cancelled.channel = ToStored(command.actor.channel);
  cancelled.request_id = command.actor.request_id;
  txn.Emit(std::move(cancelled));
  return Status::Ok();
}

Result<HttpCallRequest> BuildHttpRequest(const RunState& state, const StepDefinition& step,
                                         const EngineOptions& options) {
  json::object context = TemplateContext(state);
  HttpCallRequest request;
  request.method = step.method;
  auto url = RenderStepUrl(step, context);
  if (!url.ok()) return url.status();
  request.url = std::move(url).value();
  if (!step.body.is_null()) {
    auto body = RenderValue(step.body, context);
    if (!body.ok()) return body.status();
    request.body = json::serialize(*body);
  }
  for (const auto& [name, value] : step.headers) {
    auto rendered = RenderString(value.as_string(), context);
    if (!rendered.ok()) {
      return Status::InvalidArgument("header '" + std::string(name) +
                                     "': " + rendered.status().message());
    }
    request.headers.emplace_back(std::string(name), std::move(rendered).value());
  }
  // The receiver can deduplicate: every attempt of this visit of this step carries the same
  // key, and a later visit (a loop back to the step) is a new request with a new key.
  request.headers.emplace_back("Idempotency-Key", state.run_id + "/" + step.id + "/" +
                                                      std::to_string(state.visit_seq));
  request.timeout = std::chrono::milliseconds(step.timeout_ms.value_or(options.http_timeout_ms));
  request.max_response_bytes = options.max_step_output_bytes;
  request.allow_link_local = options.http_allow_link_local;
  request.ca_file = step.ca_file;
  request.max_connections = step.max_connections.value_or(0);
  if (!state.gate_approval_id.empty()) {
    if (const ApprovalView* approval = state.FindApproval(state.gate_approval_id)) {
      UseApprovedBody(*approval, request);
    }
  }
  return request;
}

namespace {

// What an http step's failed attempt is: its error, whether another attempt could succeed, and
// how long the payee asked to be left alone (a 429's or 503's Retry-After).
struct AttemptFailure {
  std::string error;
  bool retryable = false;
  std::optional<int64_t> retry_after_ms;
  std::optional<unsigned> status;  // the response's, when there was one
};

// The step failed for good: it goes to its on_error, which reads the failure as
// steps.<id>.error, or else the run fails.
void GiveUp(RunTxn& txn, const StepContext& context, const StepDefinition& step,
            const AttemptFailure& failure) {
  const uint32_t attempts = txn.state().failures;
  if (step.on_error.empty()) {
    return FailRun(txn, "step '" + step.id + "' failed after " + std::to_string(attempts) +
                            " failed attempt(s): " + failure.error);
  }
  json::object output{{"error", failure.error}, {"attempts", attempts}};
  if (failure.status) output["status"] = *failure.status;
  FinishPureStep(txn, context, step, json::value(std::move(output)), step.on_error);
  Advance(txn, context);
}

// Records the failed attempt: with a retry to come at a time the step's policy says (the
// StepFailed keeps it, and its durable timer fires it), or failed for good.
void FailAttempt(RunTxn& txn, const StepContext& context, const StepDefinition& step,
                 uint32_t attempt, const AttemptFailure& failure) {
  const RunState& state = txn.state();
  const HttpRetryPolicy policy = ResolveHttpRetry(step.retry, context.options);
  const uint32_t failures = state.failures + 1;
  const int64_t give_up_at_ms =
      state.give_up_at_ms > 0 ? state.give_up_at_ms : txn.now_ms() + policy.give_up_after_ms;
  int64_t delay_ms =
      RetryDelayMs(policy, failures, JitterSpread(state.run_id, state.visit_seq, attempt));
  if (failure.retry_after_ms) delay_ms = std::max(delay_ms, *failure.retry_after_ms);
  const int64_t retry_at_ms = txn.now_ms() + delay_ms;

  fb::StepFailedT failed;
  failed.step_id = step.id;
  failed.attempt = attempt;
  failed.error = failure.error;
  failed.will_retry = failure.retryable &&
                      (policy.max_attempts == 0 || failures < policy.max_attempts) &&
                      retry_at_ms <= give_up_at_ms;
  if (failed.will_retry) failed.retry_at_ms = retry_at_ms;
  failed.give_up_at_ms = give_up_at_ms;
  const bool will_retry = failed.will_retry;
  txn.Emit(std::move(failed));
  if (!will_retry) GiveUp(txn, context, step, failure);
}

}  // namespace

void CompleteHttpStep(RunTxn& txn, const StepContext& context, std::string_view step_id,
                      uint32_t attempt, const Result<HttpCallResponse>& outcome) {
  const RunState& state = txn.state();
  if (state.status != RunStatus::kRunning || !state.step_in_flight || state.cursor != step_id ||
      state.attempt != attempt) {
    return;
  }
  const StepDefinition* step = context.definition.Find(step_id);
  if (step == nullptr) return;

  AttemptFailure failure;
  if (!outcome.ok()) {
    failure.error = outcome.status().message();  // kTooLarge (a response over the limit) is not
    failure.retryable = outcome.status().code() == StatusCode::kUnavailable;  // retried
  } else if (outcome->status >= 200 && outcome->status < 300) {
    boost::system::error_code ec;
    json::value output = outcome->body.empty() ? json::value() : ParseJsonText(outcome->body, ec);
    if (!ec) {
      FinishPureStep(txn, context, *step, std::move(output), context.definition.NextAfter(*step));
      return Advance(txn, context);
    }
    failure.error = "HTTP " + std::to_string(outcome->status) +
                    " response is not JSON we can store: " + ec.message();
    failure.status = outcome->status;
  } else {
    unsigned code = outcome->status;
    failure.error = "HTTP " + std::to_string(code) + ": " + outcome->body.substr(0, 200);
    failure.status = code;
    failure.retryable = RetriesStatus(ResolveHttpRetry(step->retry, context.options), code);
    if (code == 429 || code == 503) {
      failure.retry_after_ms = RetryAfterMs(outcome->retry_after, txn.now_ms());
    }
  }
  FailAttempt(txn, context, *step, attempt, failure);
}

bool RetryWaitsOn(const RunState& state, int64_t due_at_ms) {
  return state.status == RunStatus::kRunning && state.retry_pending && state.retry_at_ms > 0 &&
         state.retry_at_ms == due_at_ms;
}

void StartRetry(RunTxn& txn, const StepContext& context) {
  const RunState& state = txn.state();
  if (!RetryWaitsOn(state, state.retry_at_ms) || state.retry_at_ms > txn.now_ms()) return;
  RetryStep(txn, context);
}

Status RetryRun(RunTxn& txn, const StepContext& context, const RetryCommand& command) {
  const RunState& state = txn.state();
  if (state.status != RunStatus::kFailed) {
    return Status::Conflict("run " + state.run_id + " is " + std::string(ToString(state.status)) +
                            ": only a failed run can be retried");
  }
  const WorkflowDefinition& definition = context.definition;
  if (definition.name == kAgentGateWorkflow) {  // it would ask again, under a gate id nobody polls
    return Status::FailedPrecondition("run " + state.run_id +
                                      " holds an outside agent's gate, which is not retried: "
                                      "the agent opens a new one");
  }
  const std::string step_id = state.cursor.empty() ? definition.steps.front().id : state.cursor;
  fb::RunRetriedT retried;
  retried.by = command.actor.principal.id;
  retried.step_id = step_id;
  retried.channel = ToStored(command.actor.channel);
  retried.request_id = command.actor.request_id;
  txn.Emit(std::move(retried));
  // An http step's next attempt keeps its visit, so the payee sees the same Idempotency-Key
  // and can tell a retried payment from a new one; any other step runs afresh.
  const StepDefinition* step = definition.Find(step_id);
  if (step != nullptr && step->type == StepType::kHttp && txn.state().attempt > 0) {
    RetryStep(txn, context);
  } else {
    Advance(txn, context);
  }
  return Status::Ok();
}

void RestartStep(RunTxn& txn) {
  const RunState& state = txn.state();
  EmitStepStarted(txn, state.cursor, state.attempt + 1);
}

void RetryStep(RunTxn& txn, const StepContext& context) {
  const RunState& state = txn.state();
  const StepDefinition* step = context.definition.Find(state.cursor);
  // A gated call runs again under the approval it had, unless each retry asks, or it had none
  // (its gate did not ask then, and may now).
  if (step == nullptr || step->gate == Gate::kNone ||
      (!step->approve_retries && !state.gate_approval_id.empty())) {
    return RestartStep(txn);
  }
  GateCall(txn, context, *step, state.attempt + 1);
}

}  // namespace assent::engine
