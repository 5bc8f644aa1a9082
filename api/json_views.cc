#include "api/json_views.h"

#include <chrono>
#include <cstdio>

#include <boost/json/array.hpp>

namespace assent::api {

namespace json = boost::json;

// Writes `value` as exactly `width` decimal digits at `out`.
void PutDigits(char* out, long value, int width) {
  for (int i = width - 1; i >= 0; --i, value /= 10) out[i] = static_cast<char>('0' + value % 10);
}

// Every run, approval and event carries times: formatting them by hand (not snprintf) keeps
// this off the profile.
std::string FormatTime(int64_t unix_ms) {
  using namespace std::chrono;
  sys_time<milliseconds> time{milliseconds(unix_ms)};
  sys_days day = floor<days>(time);
  year_month_day date(day);
  hh_mm_ss<milliseconds> clock(time - day);
  std::string text = "0000-00-00T00:00:00.000Z";
  PutDigits(&text[0], static_cast<int>(date.year()), 4);
  PutDigits(&text[5], static_cast<unsigned>(date.month()), 2);
  PutDigits(&text[8], static_cast<unsigned>(date.day()), 2);
  PutDigits(&text[11], clock.hours().count(), 2);
  PutDigits(&text[14], clock.minutes().count(), 2);
  PutDigits(&text[17], clock.seconds().count(), 2);
  PutDigits(&text[20], clock.subseconds().count(), 3);
  return text;
}

json::object ToJson(const engine::ApprovalView& approval) {
  json::array decisions;
  for (const engine::DecisionView& decision : approval.decisions) {
    json::object made{{"decision", engine::ToString(decision.decision)},
                      {"reviewer", decision.reviewer},
                      {"comment", decision.comment},
                      {"at", FormatTime(decision.at_ms)}};
    if (!decision.edits.empty()) {
      made["edits"] = decision.edits;
      made["edit_diff"] = decision.edit_diff;
    }
    decisions.push_back(std::move(made));
  }
  json::array comments;
  for (const engine::CommentView& comment : approval.comments) {
    comments.push_back(json::object{{"author", comment.author},
                                    {"text", comment.text},
                                    {"at", FormatTime(comment.at_ms)}});
  }
  // Room for what may follow (started_by, due_at, quorums, escalation; approvers and can_decide
  // for a reviewer), so adding them does not move every member into a larger table.
  constexpr size_t kMembers = 18;
  json::object out({{"id", approval.id},
                    {"run_id", approval.run_id},
                    {"workflow", approval.workflow},
                    {"step_id", approval.step_id},
                    {"status", engine::ToString(approval.status)},
                    {"message", approval.message},
                    {"show", approval.show},
                    {"decisions", std::move(decisions)},
                    {"comments", std::move(comments)},
                    {"requested_at", FormatTime(approval.requested_at_ms)}},
                   kMembers);
  if (!approval.started_by.empty()) out["started_by"] = approval.started_by;
  if (approval.due_at_ms > 0) out["due_at"] = FormatTime(approval.due_at_ms);
  if (approval.rung > 0) out["escalated"] = approval.rung;  // the rung that decides it now
  if (approval.remind_at_ms > 0) out["remind_at"] = FormatTime(approval.remind_at_ms);
  // Only where a step asks for more than one: "quorum": 2 with "decisions" is "1 of 2 approvals".
  if (approval.quorum > 1 || approval.reject_quorum > 1) {
    out["quorum"] = approval.quorum;
    out["reject_quorum"] = approval.reject_quorum;
  }
  if (approval.IsAgentGate()) {  // its run and workflow are the gate's own, never shown
    out["gate"] = true;
    out["title"] = approval.title;
  }
  return out;
}

json::object GateJson(const engine::ApprovalView& gate) {
  json::array approvers;
  for (const std::string& entry : gate.approvers) approvers.emplace_back(entry);
  json::array comments;
  for (const engine::CommentView& comment : gate.comments) {
    comments.push_back(json::object{{"author", comment.author},
                                    {"text", comment.text},
                                    {"at", FormatTime(comment.at_ms)}});
  }
  json::object out{{"id", gate.id},
                   {"status", engine::ToString(gate.status)},
                   {"title", gate.title},
                   {"message", gate.message},
                   {"context", gate.show},
                   {"approvers", std::move(approvers)},
                   {"opened_by", gate.started_by},
                   {"requested_at", FormatTime(gate.requested_at_ms)},
                   {"comments", std::move(comments)}};
  if (gate.due_at_ms > 0) out["due_at"] = FormatTime(gate.due_at_ms);
  if ((gate.status == engine::ApprovalStatus::kApproved ||
       gate.status == engine::ApprovalStatus::kRejected) &&
      !gate.decisions.empty()) {
    const engine::DecisionView& deciding = gate.decisions.back();
    out["decision"] = engine::ToString(deciding.decision);
    out["reviewer"] = deciding.reviewer;
    out["feedback"] = deciding.comment;
    out["decided_at"] = FormatTime(deciding.at_ms);
    if (!deciding.edits.empty()) out["edits"] = deciding.edit_diff;
  }
  if (gate.status == engine::ApprovalStatus::kApproved) {
    out["approved_context"] = gate.ApprovedShow();
  }
  return out;
}

json::object ToJson(const engine::ApprovalView& approval, const engine::DecidersView& deciders) {
  json::object out = ToJson(approval);
  json::array approvers;
  for (const std::string& entry : deciders.approvers) approvers.emplace_back(entry);
  out["approvers"] = std::move(approvers);
  out["can_decide"] = deciders.can_decide;
  // The step's `edits` rule, for the edit form: true (any shown field), false, or the fields.
  if (!deciders.edits_allowed) {
    out["edits"] = false;
  } else if (deciders.editable_fields.empty()) {
    out["edits"] = true;
  } else {
    json::array fields;
    for (const std::string& field : deciders.editable_fields) fields.emplace_back(field);
    out["edits"] = std::move(fields);
  }
  return out;
}

json::object ToJson(engine::RunView run) {
  json::array pending;
  for (const engine::ApprovalView& approval : run.pending_approvals) {
    pending.push_back(ToJson(approval));
  }
  json::object out{{"run_id", run.run_id},
                   {"workflow", run.workflow},
                   {"version", run.version},
                   {"status", engine::ToString(run.status)},
                   {"input", std::move(run.input)},
                   {"steps", std::move(run.steps)},
                   {"pending_approvals", std::move(pending)}};
  if (run.status == engine::RunStatus::kCompleted) {
    out["output"] = run.output ? std::move(*run.output) : json::value(nullptr);
  }
  if (run.status == engine::RunStatus::kFailed || run.status == engine::RunStatus::kCancelled) {
    out["error"] = std::move(run.error);
  }
  if (run.can_retry) out["can_retry"] = true;
  if (!run.started_by.empty()) out["started_by"] = std::move(run.started_by);
  out["started_at"] = FormatTime(run.started_at_ms);
  out["updated_at"] = FormatTime(run.updated_at_ms);
  return out;
}

json::object ToJson(const engine::EventView& event) {
  json::object out{{"seq", event.seq}, {"at", FormatTime(event.at_ms)}, {"type", event.type}};
  for (const auto& [key, value] : event.fields) {
    out.emplace(key, value);  // emplace keeps seq/at/type if a field shares their name
  }
  return out;
}

json::object ToJson(const engine::WorkflowView& workflow) {
  json::object out{{"name", workflow.name},
                   {"version", workflow.version},
                   {"definition", workflow.definition}};
  if (workflow.disabled) out["disabled"] = true;
  if (workflow.next_fire_at_ms) out["next_fire_at"] = FormatTime(*workflow.next_fire_at_ms);
  return out;
}

namespace {

json::object NotificationJson(const engine::ApprovalNotification& notification,
                              json::object approval) {
  // "cursor" last: clients that look for {"type":..,"approval":{"id":.. keep finding it.
  constexpr size_t kMembers = 4;  // with "by" and "cursor"
  json::object out({{"type", engine::ToString(notification.kind)},
                    {"approval", std::move(approval)}},
                   kMembers);
  if (!notification.by.empty()) out["by"] = notification.by;
  out["cursor"] = notification.cursor;
  return out;
}

}  // namespace

json::object ToJson(const engine::ApprovalNotification& notification) {
  return NotificationJson(notification, ToJson(notification.approval));
}

json::object ToJson(const engine::ApprovalNotification& notification,
                    const engine::DecidersView& deciders) {
  return NotificationJson(notification, ToJson(notification.approval, deciders));
}

}  // namespace assent::api
