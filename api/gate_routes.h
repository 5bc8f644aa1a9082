// Gates for agents outside Assent: two calls put a human in front of a dangerous tool call.
//
//   POST /v1/gates {"title", "message", "context", "approvers", "timeout"}
//     (Idempotency-Key: optional) opens the gate, an approval that belongs to no workflow, once
//     it is durable: 201 with the gate (GateJson, api/json_views.h); 200 with the gate an
//     earlier request with the same key opened; 400 naming a bad field; 422 when the key opened
//     a gate with another request.
//   GET /v1/gates/{id}?wait=30s
//     the gate, once it is decided (or timed out, or cancelled) or the wait is over, whichever
//     comes first; without ?wait= at once. 404 for a gate the caller may not see.
//
// Its approvers decide it in the dashboard, the stream and /v1/approvals like any approval.
#pragma once

#include "api/route_call.h"

namespace assent::api {

void OpenGate(Call& call);
void GetGate(Call& call);

}  // namespace assent::api
