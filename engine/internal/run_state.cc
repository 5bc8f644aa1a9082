#include "engine/internal/run_state.h"

#include <algorithm>
#include <type_traits>
#include <utility>

#include "base/json_text.h"
#include "base/utf8.h"
#include "engine/internal/stored_table.h"
#include "schemas/event_generated.h"

namespace assent::engine {
namespace {

namespace json = boost::json;

std::string_view View(const flatbuffers::String* text) {
  return text == nullptr ? std::string_view() : text->string_view();
}

// Text from a record that becomes part of the state's JSON, made UTF-8 if it is not: the engine
// writes only UTF-8, but a damaged record must not make a state whose snapshot (JSON text that
// Boost.JSON parses only if it is UTF-8) cannot be read back.
json::string JsonText(std::string_view text) {
  return IsValidUtf8(text) ? json::string(text) : json::string(ToValidUtf8(text));
}

// Payloads were serialized by the engine; a record that verifies but carries bad JSON is kept
// as the raw text rather than dropped, so nothing in the log becomes invisible.
json::value ParseJson(const flatbuffers::String* text) {
  std::string_view raw = View(text);
  if (raw.empty()) return nullptr;
  boost::system::error_code ec;
  json::value value = ParseJsonText(raw, ec, StoredJsonOptions());
  if (ec) return JsonText(raw);
  return value;
}

// The event's payload: moved from `payload` when the emitter handed it over, else parsed.
json::value TakePayload(json::value* payload, const flatbuffers::String* text) {
  return payload != nullptr ? std::move(*payload) : ParseJson(text);
}

json::object TakeObject(json::value* payload, const flatbuffers::String* text) {
  json::value value = TakePayload(payload, text);
  return value.is_object() ? std::move(value.as_object()) : json::object();
}

void OnRunStarted(RunState& state, const fb::RunStarted& body, int64_t at_ms,
                  json::value* payload) {
  state.workflow = std::string(View(body.workflow()));
  state.version = body.version();
  state.input = TakeObject(payload, body.input());
  state.idempotency_key = std::string(View(body.idempotency_key()));
  state.started_by = std::string(View(body.started_by()));
  state.status = RunStatus::kRunning;
  state.started_at_ms = at_ms;
  // An approval's workflow, version and starter are always its run's, as a snapshot restores
  // them; only a damaged log has approvals before its RunStarted.
  for (ApprovalView& approval : state.approvals) {
    approval.workflow = state.workflow;
    approval.version = state.version;
    approval.started_by = state.started_by;
  }
}

void OnStepStarted(RunState& state, const fb::StepStarted& body, uint64_t seq) {
  state.cursor = std::string(View(body.step_id()));
  state.attempt = body.attempt();
  state.wake_at_ms = body.wake_at_ms();
  if (body.attempt() == 1) {
    state.visit_seq = seq;
    state.failures = 0;
  }
  state.step_in_flight = true;
  state.retry_pending = false;
  state.retry_at_ms = 0;
  if (body.attempt() == 1) state.give_up_at_ms = 0;
  // A first attempt without a gate drops the last visit's; a restart keeps the call's.
  if (body.attempt() == 1 || !View(body.gate_approval_id()).empty()) {
    state.gate_approval_id = std::string(View(body.gate_approval_id()));
  }
}

void OnStepCompleted(RunState& state, const fb::StepCompleted& body, json::value* payload) {
  json::value output = TakePayload(payload, body.output());
  // Boost.JSON grows a small object one or two members at a time, rebuilding it each time:
  // nearly every step of a run would.
  if (state.steps.size() == state.steps.capacity()) {
    state.steps.reserve(std::max<size_t>(8, 2 * state.steps.capacity()));
  }
  state.steps[JsonText(View(body.step_id()))] = output;
  state.last_output = std::move(output);
  state.cursor = std::string(View(body.next()));
  state.attempt = 0;
  state.failures = 0;
  state.step_in_flight = false;
  state.retry_pending = false;
  state.wake_at_ms = 0;
  state.retry_at_ms = 0;
  state.give_up_at_ms = 0;
  state.gate_approval_id.clear();
}

void OnStepFailed(RunState& state, const fb::StepFailed& body) {
  state.cursor = std::string(View(body.step_id()));
  state.attempt = body.attempt();
  ++state.failures;
  state.step_in_flight = false;
  state.wake_at_ms = 0;
  state.retry_pending = body.will_retry();
  state.retry_at_ms = body.will_retry() ? body.retry_at_ms() : 0;
  state.give_up_at_ms = body.give_up_at_ms();
}

void OnApprovalRequested(RunState& state, const fb::ApprovalRequested& body, int64_t at_ms,
                         json::value* payload) {
  ApprovalView approval;
  approval.id = std::string(View(body.approval_id()));
  approval.run_id = state.run_id;
  approval.workflow = state.workflow;
  approval.step_id = std::string(View(body.step_id()));
  approval.status = ApprovalStatus::kPending;
  approval.message = std::string(View(body.message()));
  approval.show = TakeObject(payload, body.show());
  approval.requested_at_ms = at_ms;
  approval.version = state.version;
  approval.started_by = state.started_by;
  approval.due_at_ms = body.due_at_ms();
  approval.quorum = std::max<uint32_t>(body.quorum(), 1);  // 0: written before quorums
  approval.reject_quorum = std::max<uint32_t>(body.reject_quorum(), 1);
  approval.remind_at_ms = body.remind_at_ms();
  approval.title = std::string(View(body.title()));
  approval.approvers = StoredTexts(body.approvers());
  state.approvals.push_back(std::move(approval));
  state.cursor = std::string(View(body.step_id()));
  state.status = RunStatus::kWaiting;
}

bool HasPendingApproval(const RunState& state) {
  for (const ApprovalView& approval : state.approvals) {
    if (approval.status == ApprovalStatus::kPending) return true;
  }
  return false;
}

void OnApprovalDecided(RunState& state, const fb::ApprovalDecided& body, int64_t at_ms) {
  ApprovalView* approval = state.FindApproval(View(body.approval_id()));
  if (approval == nullptr) return;  // the engine never emits this; replay stays total
  Decision decision =
      body.decision() == fb::Decision::Approve ? Decision::kApprove : Decision::kReject;
  DecisionView& decided = approval->decisions.emplace_back(
      DecisionView{decision, std::string(View(body.reviewer())),
                   std::string(View(body.comment())), at_ms});
  if (json::value edits = ParseJson(body.edits()); edits.is_object()) {
    decided.edits = std::move(edits.as_object());
    json::value diff = ParseJson(body.edit_diff());
    if (diff.is_array()) decided.edit_diff = std::move(diff.as_array());
  }
  // A vote until its side reaches its quorum (with the default quorums of 1, at once).
  if (decision == Decision::kReject &&
      approval->CountDecisions(Decision::kReject) >= approval->reject_quorum) {
    approval->status = ApprovalStatus::kRejected;
  } else if (decision == Decision::kApprove &&
             approval->CountDecisions(Decision::kApprove) >= approval->quorum) {
    approval->status = ApprovalStatus::kApproved;
  }
  if (state.status == RunStatus::kWaiting && !HasPendingApproval(state)) {
    state.status = RunStatus::kRunning;
  }
}

// The step's on_timeout decided instead of a reviewer; what it decided follows as the step's
// completion or the run's failure.
void OnApprovalTimedOut(RunState& state, const fb::ApprovalTimedOut& body) {
  ApprovalView* approval = state.FindApproval(View(body.approval_id()));
  if (approval == nullptr) return;  // the engine never emits this; replay stays total
  approval->status = ApprovalStatus::kTimedOut;
  if (state.status == RunStatus::kWaiting && !HasPendingApproval(state)) {
    state.status = RunStatus::kRunning;
  }
}

// The next rung decides it now, with its own due time (and reminder).
void OnApprovalEscalated(RunState& state, const fb::ApprovalEscalated& body) {
  ApprovalView* approval = state.FindApproval(View(body.approval_id()));
  if (approval == nullptr) return;  // the engine never emits this; replay stays total
  approval->rung = body.rung();
  approval->due_at_ms = body.due_at_ms();
  approval->remind_at_ms = body.remind_at_ms();
}

void OnApprovalReminded(RunState& state, const fb::ApprovalReminded& body) {
  ApprovalView* approval = state.FindApproval(View(body.approval_id()));
  if (approval != nullptr) approval->remind_at_ms = 0;
}

void OnCommentAdded(RunState& state, const fb::CommentAdded& body, int64_t at_ms) {
  ApprovalView* approval = state.FindApproval(View(body.approval_id()));
  if (approval == nullptr) return;
  approval->comments.push_back(
      CommentView{std::string(View(body.author())), std::string(View(body.text())), at_ms});
}

void OnRunCompleted(RunState& state, const fb::RunCompleted& body, json::value* payload) {
  state.status = RunStatus::kCompleted;
  state.output = TakePayload(payload, body.output());
}

void OnRunFailed(RunState& state, const fb::RunFailed& body) {
  state.status = RunStatus::kFailed;
  state.error = std::string(View(body.error()));
}

void OnRunCancelled(RunState& state, const fb::RunCancelled& body) {
  state.status = RunStatus::kCancelled;
  state.error = "cancelled by " + std::string(View(body.by()));
  if (!View(body.reason()).empty()) state.error += ": " + std::string(View(body.reason()));
  for (ApprovalView& approval : state.approvals) {
    if (approval.status == ApprovalStatus::kPending) approval.status = ApprovalStatus::kCancelled;
  }
}

// A failed run runs again from the step it failed at, with a fresh attempt budget: the step's
// next attempt (or, for a step that is not retried, its next run) follows in the same commit.
void OnRunRetried(RunState& state, const fb::RunRetried& body) {
  state.status = RunStatus::kRunning;
  state.error.clear();
  state.cursor = std::string(View(body.step_id()));
  state.failures = 0;
  state.step_in_flight = false;
  state.retry_pending = false;
  state.retry_at_ms = 0;
  state.give_up_at_ms = 0;
}

}  // namespace

ApprovalView* RunState::FindApproval(std::string_view approval_id) {
  for (ApprovalView& approval : approvals) {
    if (approval.id == approval_id) return &approval;
  }
  return nullptr;
}

const ApprovalView* RunState::FindApproval(std::string_view approval_id) const {
  return const_cast<RunState*>(this)->FindApproval(approval_id);
}

void Apply(RunState& state, const fb::Event& event, json::value* payload) {
  if (state.run_id.empty()) state.run_id = std::string(View(event.run_id()));
  state.last_seq = event.seq();
  state.updated_at_ms = event.at_ms();
  const int64_t at_ms = event.at_ms();
  // No default: -Werror=switch makes a new union member without an Apply case a build error.
  switch (event.body_type()) {
    case fb::Body::NONE: break;
    case fb::Body::RunStarted:
      OnRunStarted(state, *event.body_as_RunStarted(), at_ms, payload);
      break;
    case fb::Body::StepStarted:
      OnStepStarted(state, *event.body_as_StepStarted(), event.seq());
      break;
    case fb::Body::StepCompleted:
      OnStepCompleted(state, *event.body_as_StepCompleted(), payload);
      break;
    case fb::Body::StepFailed: OnStepFailed(state, *event.body_as_StepFailed()); break;
    case fb::Body::ApprovalRequested:
      OnApprovalRequested(state, *event.body_as_ApprovalRequested(), at_ms, payload);
      break;
    case fb::Body::ApprovalDecided:
      OnApprovalDecided(state, *event.body_as_ApprovalDecided(), at_ms);
      break;
    case fb::Body::CommentAdded: OnCommentAdded(state, *event.body_as_CommentAdded(), at_ms); break;
    case fb::Body::RunCompleted:
      OnRunCompleted(state, *event.body_as_RunCompleted(), payload);
      break;
    case fb::Body::RunFailed: OnRunFailed(state, *event.body_as_RunFailed()); break;
    case fb::Body::RunCancelled: OnRunCancelled(state, *event.body_as_RunCancelled()); break;
    // The directory's events (engine/internal/directory_state.h) live in their own stream,
    // which no run's id names (RunLoader refuses it): never part of a run.
    case fb::Body::UserAdded:
    case fb::Body::UserGroupsChanged:
    case fb::Body::UserRemoved:
    case fb::Body::TokenIssued:
    case fb::Body::TokenRevoked: break;
    case fb::Body::ApprovalTimedOut:
      OnApprovalTimedOut(state, *event.body_as_ApprovalTimedOut());
      break;
    case fb::Body::ApprovalEscalated:
      OnApprovalEscalated(state, *event.body_as_ApprovalEscalated());
      break;
    case fb::Body::ApprovalReminded:
      OnApprovalReminded(state, *event.body_as_ApprovalReminded());
      break;
    case fb::Body::RunRetried: OnRunRetried(state, *event.body_as_RunRetried()); break;
  }
}

namespace {

// Copies from a const state and moves from an rvalue one.
template <typename State>
RunView MakeView(State&& state) {
  RunView view;
  view.run_id = std::forward<State>(state).run_id;
  view.workflow = std::forward<State>(state).workflow;
  view.version = state.version;
  view.status = state.status;
  view.input = std::forward<State>(state).input;
  view.steps = std::forward<State>(state).steps;
  for (auto& approval : state.approvals) {
    if (approval.status == ApprovalStatus::kPending) {
      if constexpr (std::is_rvalue_reference_v<State&&>) {
        view.pending_approvals.push_back(std::move(approval));
      } else {
        view.pending_approvals.push_back(approval);
      }
    }
  }
  view.output = std::forward<State>(state).output;
  view.error = std::forward<State>(state).error;
  view.started_by = std::forward<State>(state).started_by;
  view.started_at_ms = state.started_at_ms;
  view.updated_at_ms = state.updated_at_ms;
  return view;
}

}  // namespace

RunView ToView(RunState&& state) { return MakeView(std::move(state)); }
RunView ToView(const RunState& state) { return MakeView(state); }

}  // namespace assent::engine
