// The REST routes of the directory of users and tokens (engine/directory.h), each a
// void(Call&) in api/router.cc's table:
//   GET /v1/me                      who the caller is (any valid token)
//   GET /v1/users, POST /v1/users   list users; add one (201, with their first token)
//   GET, PATCH, DELETE /v1/users/{id}          one user; change their groups; remove them
//   GET, POST /v1/users/{id}/tokens            their tokens; issue one more (201)
//   DELETE /v1/tokens/{token id}               revoke one token
//   GET /v1/groups                  groups with their members
// All but /v1/me are for admins (the bootstrap admin token or an admin user); anyone else gets
// 403 `forbidden`. Changes answer once their event is durable.
#pragma once

#include "api/route_call.h"

namespace assent::api {

void GetMe(Call& call);
void ListUsers(Call& call);
void AddUser(Call& call);
void GetUser(Call& call);
void SetGroups(Call& call);
void RemoveUser(Call& call);
void ListTokens(Call& call);
void IssueToken(Call& call);
void RevokeToken(Call& call);
void ListGroups(Call& call);

}  // namespace assent::api
