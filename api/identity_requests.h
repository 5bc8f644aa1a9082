// Turns the JSON bodies of the identity routes (api/identity_routes.h) into directory requests.
// A field a request does not know is refused. Failures are Status::InvalidArgument; the names
// themselves are checked by the directory. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "base/status.h"
#include "engine/directory.h"

namespace assent::api {

// The name of the token a new user gets with their account.
inline constexpr std::string_view kFirstTokenName = "default";

struct AddUserRequest {
  engine::NewUser user;
  engine::NewToken first_token;
};

// {"id", "groups": [...], "service": bool, "admin": bool, "expires_in": "90d"}: only "id" is
// required; "expires_in" is the first token's lifetime (none: it never expires).
Result<AddUserRequest> ParseAddUser(const boost::json::object& body);
// {"groups": [...]}, required (an empty list is fine).
Result<std::vector<std::string>> ParseSetGroups(const boost::json::object& body);
// {"name", "expires_in"}: "name" required.
Result<engine::NewToken> ParseNewToken(const boost::json::object& body);

}  // namespace assent::api
