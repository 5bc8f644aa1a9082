#include "engine/internal/event_view.h"

#include "base/json_text.h"
#include "engine/internal/definition.h"
#include "engine/internal/duration_text.h"
#include "engine/internal/time_text.h"
#include "engine/internal/stored_table.h"
#include "schemas/event_generated.h"

namespace assent::engine {
namespace {

namespace json = boost::json;

json::string Text(const flatbuffers::String* text) {
  return text == nullptr ? json::string() : json::string(text->string_view());
}

json::array Texts(const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* texts) {
  json::array array;
  if (texts != nullptr) {
    for (const flatbuffers::String* text : *texts) array.push_back(Text(text));
  }
  return array;
}

json::value Payload(const flatbuffers::String* text) {
  if (text == nullptr || text->size() == 0) return nullptr;
  boost::system::error_code ec;
  json::value value = ParseJsonText(text->string_view(), ec, StoredJsonOptions());
  return ec ? json::value(Text(text)) : value;
}

// Where a command came from: omitted for events written before identities, which carry none.
void AddOrigin(json::object& f, fb::Channel channel, const flatbuffers::String* request_id) {
  if (channel == fb::Channel::Rest) f["channel"] = "rest";
  if (channel == fb::Channel::Stream) f["channel"] = "stream";
  if (channel == fb::Channel::Hook) f["channel"] = "hook";
  if (channel == fb::Channel::Schedule) f["channel"] = "schedule";
  if (request_id != nullptr && request_id->size() > 0) f["request_id"] = Text(request_id);
}

}  // namespace

EventView ToEventView(const fb::Event& event) {
  EventView view;
  view.seq = event.seq();
  view.at_ms = event.at_ms();
  json::object& f = view.fields;
  switch (event.body_type()) {
    case fb::Body::NONE: view.type = "unknown"; break;
    case fb::Body::RunStarted: {
      const auto* body = event.body_as_RunStarted();
      view.type = "run.started";
      f["workflow"] = Text(body->workflow());
      f["version"] = body->version();
      f["input"] = Payload(body->input());
      if (body->idempotency_key() && body->idempotency_key()->size() > 0) {
        f["idempotency_key"] = Text(body->idempotency_key());
      }
      if (body->started_by() && body->started_by()->size() > 0) {
        f["started_by"] = Text(body->started_by());
      }
      AddOrigin(f, body->channel(), body->request_id());
      break;
    }
    case fb::Body::StepStarted: {
      const auto* body = event.body_as_StepStarted();
      view.type = "step.started";
      f["step_id"] = Text(body->step_id());
      f["attempt"] = body->attempt();
      if (body->wake_at_ms() > 0) f["wake_at"] = FormatRfc3339(body->wake_at_ms());
      if (body->gate_approval_id() != nullptr) {
        f["gate_approval_id"] = Text(body->gate_approval_id());
      }
      break;
    }
    case fb::Body::StepCompleted: {
      const auto* body = event.body_as_StepCompleted();
      view.type = "step.completed";
      f["step_id"] = Text(body->step_id());
      f["output"] = Payload(body->output());
      f["next"] = Text(body->next());
      break;
    }
    case fb::Body::StepFailed: {
      const auto* body = event.body_as_StepFailed();
      view.type = "step.failed";
      f["step_id"] = Text(body->step_id());
      f["attempt"] = body->attempt();
      f["error"] = Text(body->error());
      f["will_retry"] = body->will_retry();
      if (body->retry_at_ms() > 0) f["retry_at"] = FormatRfc3339(body->retry_at_ms());
      break;
    }
    case fb::Body::ApprovalRequested: {
      const auto* body = event.body_as_ApprovalRequested();
      view.type = "approval.requested";
      f["approval_id"] = Text(body->approval_id());
      f["step_id"] = Text(body->step_id());
      f["message"] = Text(body->message());
      f["show"] = Payload(body->show());
      if (body->due_at_ms() > 0) f["timeout"] = FormatDuration(body->due_at_ms() - event.at_ms());
      if (body->quorum() > 1) f["quorum"] = body->quorum();
      if (body->reject_quorum() > 1) f["reject_quorum"] = body->reject_quorum();
      if (body->remind_at_ms() > 0) {
        f["remind_after"] = FormatDuration(body->remind_at_ms() - event.at_ms());
      }
      if (body->title() != nullptr) f["title"] = Text(body->title());
      if (body->approvers() != nullptr) f["approvers"] = Texts(body->approvers());
      break;
    }
    case fb::Body::ApprovalDecided: {
      const auto* body = event.body_as_ApprovalDecided();
      view.type = "approval.decided";
      f["approval_id"] = Text(body->approval_id());
      f["decision"] = body->decision() == fb::Decision::Approve ? "approve" : "reject";
      f["reviewer"] = Text(body->reviewer());
      f["comment"] = Text(body->comment());
      if (body->edits() != nullptr && body->edits()->size() > 0) {
        f["edits"] = Payload(body->edits());
        f["show_before"] = Payload(body->show_before());
        f["edit_diff"] = Payload(body->edit_diff());
      }
      AddOrigin(f, body->channel(), body->request_id());
      break;
    }
    case fb::Body::CommentAdded: {
      const auto* body = event.body_as_CommentAdded();
      view.type = "comment.added";
      f["approval_id"] = Text(body->approval_id());
      f["author"] = Text(body->author());
      f["text"] = Text(body->text());
      AddOrigin(f, body->channel(), body->request_id());
      break;
    }
    case fb::Body::RunCompleted:
      view.type = "run.completed";
      f["output"] = Payload(event.body_as_RunCompleted()->output());
      break;
    case fb::Body::RunFailed:
      view.type = "run.failed";
      f["error"] = Text(event.body_as_RunFailed()->error());
      break;
    case fb::Body::RunCancelled: {
      const auto* body = event.body_as_RunCancelled();
      view.type = "run.cancelled";
      f["by"] = Text(body->by());
      f["reason"] = Text(body->reason());
      AddOrigin(f, body->channel(), body->request_id());
      break;
    }
    // The directory's changes (never a run's events): what the audit shows of identities. A
    // token's hash is no one's business, so it is not shown.
    case fb::Body::UserAdded: {
      const auto* body = event.body_as_UserAdded();
      view.type = "user.added";
      f["user_id"] = Text(body->user_id());
      f["groups"] = Texts(body->groups());
      f["service"] = body->service();
      f["admin"] = body->admin();
      f["by"] = Text(body->by());
      break;
    }
    case fb::Body::UserGroupsChanged: {
      const auto* body = event.body_as_UserGroupsChanged();
      view.type = "user.groups_changed";
      f["user_id"] = Text(body->user_id());
      f["groups"] = Texts(body->groups());
      f["by"] = Text(body->by());
      break;
    }
    case fb::Body::UserRemoved: {
      const auto* body = event.body_as_UserRemoved();
      view.type = "user.removed";
      f["user_id"] = Text(body->user_id());
      f["by"] = Text(body->by());
      break;
    }
    case fb::Body::TokenIssued: {
      const auto* body = event.body_as_TokenIssued();
      view.type = "token.issued";
      f["token_id"] = Text(body->token_id());
      f["user_id"] = Text(body->user_id());
      f["name"] = Text(body->name());
      if (body->expires_at_ms() != 0) f["expires_at_ms"] = body->expires_at_ms();
      f["by"] = Text(body->by());
      break;
    }
    case fb::Body::TokenRevoked: {
      const auto* body = event.body_as_TokenRevoked();
      view.type = "token.revoked";
      f["token_id"] = Text(body->token_id());
      f["by"] = Text(body->by());
      break;
    }
    case fb::Body::ApprovalTimedOut: {
      const auto* body = event.body_as_ApprovalTimedOut();
      view.type = "approval.timed_out";
      f["approval_id"] = Text(body->approval_id());
      f["action"] = ToString(static_cast<OnTimeout>(body->action()));
      break;
    }
    case fb::Body::ApprovalEscalated: {
      const auto* body = event.body_as_ApprovalEscalated();
      view.type = "approval.escalated";
      f["approval_id"] = Text(body->approval_id());
      f["rung"] = body->rung();
      f["timeout"] = FormatDuration(body->due_at_ms() - event.at_ms());
      break;
    }
    case fb::Body::ApprovalReminded: {
      const auto* body = event.body_as_ApprovalReminded();
      view.type = "approval.reminded";
      f["approval_id"] = Text(body->approval_id());
      f["rung"] = body->rung();
      break;
    }
    case fb::Body::RunRetried: {
      const auto* body = event.body_as_RunRetried();
      view.type = "run.retried";
      f["by"] = Text(body->by());
      f["step_id"] = Text(body->step_id());
      AddOrigin(f, body->channel(), body->request_id());
      break;
    }
  }
  return view;
}

}  // namespace assent::engine
