// The REST routes of a workflow's versions and lifecycle, each a void(Call&) in api/router.cc's
// table:
//   GET  /v1/workflows/{name}/versions          every version, newest first
//   GET  /v1/workflows/{name}/diff?from=A&to=B   what changed from version A to B (default: the
//                                               latest against the one before it)
//   POST /v1/workflows/{name}/disable           no new runs start; running runs finish
//   POST /v1/workflows/{name}/enable            starts are taken again
// Who may see the workflow reads its versions; who may apply it (its editors, admins) disables
// and enables it, each time as a new version of its latest definition.
#pragma once

#include "api/route_call.h"

namespace assent::api {

void ListWorkflowVersions(Call& call);
void DiffWorkflowVersions(Call& call);
void DisableWorkflow(Call& call);
void EnableWorkflow(Call& call);

}  // namespace assent::api
