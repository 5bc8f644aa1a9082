// The JSON shapes of the engine's read models, as REST responses, WebSocket messages and the CLI
// see them. Every views->JSON conversion lives here so the shapes stay in one place.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "engine/views.h"

namespace assent::api {

// RFC 3339 UTC with milliseconds: "2026-11-21T10:00:00.123Z".
std::string FormatTime(int64_t unix_ms);

// {"id","run_id","workflow","step_id","status","message","show","decisions","comments",
//  "requested_at", "started_by" (the run's starter, when known); an outside agent's gate adds
//  "gate": true and its "title"}
boost::json::object ToJson(const engine::ApprovalView& approval);
// The approval as one viewer asks for it: ToJson(approval) with "approvers" (entries as the
// definition writes them) and "can_decide".
boost::json::object ToJson(const engine::ApprovalView& approval,
                           const engine::DecidersView& deciders);
// An outside agent's gate (Engine::OpenGate) as its opener reads it: {"id","status","title",
//  "message","context","approvers","opened_by","requested_at","comments", "due_at" (with a
//  timeout); once decided "decision","reviewer","feedback" (the reviewer's comment),
//  "decided_at" and "edits" (what the reviewer changed, when they did); approved,
//  "approved_context" (the context with those edits applied: what to act on)}.
boost::json::object GateJson(const engine::ApprovalView& gate);
// {"run_id","workflow","version","status","input","steps","pending_approvals",
//  "output" (completed), "error" (failed/cancelled), "started_at","updated_at"}. By value: a
// view made only to be answered is moved in, not copied again.
boost::json::object ToJson(engine::RunView run);
// {"seq","at","type", ...fields}
boost::json::object ToJson(const engine::EventView& event);
// {"name","version","definition"}
boost::json::object ToJson(const engine::WorkflowView& workflow);
// {"type": "approval.requested"|"approval.decided"|"comment.added"|"approval.cancelled",
//  "approval": {...}, "by" (who decided, commented or cancelled, when known), "cursor"}
boost::json::object ToJson(const engine::ApprovalNotification& notification);
// The same, its approval with "approvers" and "can_decide" (as ToJson(approval, deciders)).
boost::json::object ToJson(const engine::ApprovalNotification& notification,
                           const engine::DecidersView& deciders);

// [ToJson(view) for each view]
template <typename View>
boost::json::array ToJsonArray(const std::vector<View>& views) {
  boost::json::array out;
  out.reserve(views.size());
  for (const View& view : views) out.push_back(ToJson(view));
  return out;
}

}  // namespace assent::api
