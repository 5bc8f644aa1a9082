// POST /v1/hooks/{workflow}/{hook id}: an inbound webhook starts a run of the workflow with the
// request body (a JSON object) as its input. The route is open (no user token): the hook's
// secret, sent or keying a signature of the body, is the credential, checked by the engine
// (Engine::StartRunFromHook, engine/internal/inbound_hooks.h), which also reads the delivery id
// header. Answers 201 {"run_id"}; 200 {"run_id"} of the run an earlier request with the same
// delivery id started; 400 for a body that is no JSON object; 401 for a missing or wrong
// secret or signature; 404 for an unknown workflow or hook; 422 while the workflow is disabled.
#pragma once

#include "api/route_call.h"

namespace assent::api {

void StartRunFromHook(Call& call);

}  // namespace assent::api
