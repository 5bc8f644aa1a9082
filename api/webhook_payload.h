// The bodies of webhook notifications (a workflow's `notify` targets), by the target's format:
//
//   json   {"type": "approval.requested"|"approval.decided"|"approval.cancelled",
//           "delivery_id", "workflow", "run_id", "approval": {...as GET /v1/approvals/{id}},
//           "url": "<public url>/approvals/<id>" or null}
//   slack  a Slack incoming-webhook message: "text" (the fallback line) and "blocks": a header,
//          the approval's message, its `show` fields, the decision with who and the comment
//          once decided, the workflow and run, and a button linking to the approval (when the
//          server has a --public-url). Long texts are cut to Slack's block limits.
//
// and of a notify step's message (type "step.notify"):
//
//   json   {"type": "step.notify", "delivery_id", "workflow", "run_id", "step", "message",
//           "url": "<public url>/runs/<id>" or null}
//   slack  "text": the message; "blocks": the message, the workflow, run and step, and a button
//          linking to the run (with a --public-url).
//
// Pure function; thread-safe. The engine calls it (EngineOptions::render_webhook) while it
// records a notification.
#pragma once

#include <string>

#include "engine/webhook.h"

namespace assent::api {

std::string RenderWebhook(const engine::WebhookMessage& message);

}  // namespace assent::api
