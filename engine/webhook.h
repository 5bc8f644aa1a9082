// Webhook notifications: what the engine hands the renderer of a notification's body, and the
// formats a workflow's notify targets may ask for (engine/internal/notify_targets.h).
//
// The engine records each notification in the same commit as the approval event that causes
// it (or the completion of the notify step that sends it) and delivers it afterwards
// (engine/internal/notify_dispatcher.h); the api layer supplies the body's JSON shape (EngineOptions::render_webhook), since it owns the JSON of approvals.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "engine/views.h"

namespace assent::engine {

// The numbers are persisted in outbox entries: never change or reuse one.
enum class WebhookFormat : uint8_t { kJson = 1, kSlack = 2 };

std::string_view ToString(WebhookFormat format);  // "json", "slack"

// What a notify step posts: its rendered message, and the run and step that sent it.
struct StepNotice {
  std::string workflow;
  std::string run_id;
  std::string step_id;
  std::string message;
  std::string run_url;  // "<public url>/runs/<id>"; empty without a public URL
};

struct WebhookMessage {
  WebhookFormat format = WebhookFormat::kJson;
  // "approval.requested", "approval.decided", "approval.cancelled" ... of an approval, or
  // "step.notify" of a notify step.
  std::string type;
  std::string delivery_id;  // the Assent-Delivery header's value
  ApprovalView approval;    // as it stands after the event (it names its workflow)
  std::string approval_url;  // "<public url>/approvals/<id>"; empty without a public URL
  StepNotice notice;        // type "step.notify" only (and `approval` is empty)
};

inline constexpr std::string_view kStepNotifyType = "step.notify";

// Renders a message's body. Called on a shard's strand while the commit is prepared: it must
// be quick and pure.
using WebhookRenderer = std::function<std::string(const WebhookMessage&)>;

}  // namespace assent::engine
