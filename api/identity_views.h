// The JSON shapes of the directory's views (engine/directory.h), as the identity routes answer
// them and the CLI reads them. A token's secret appears only in an IssuedToken, the one answer
// that hands it out; a token's hash never leaves the engine. Pure; thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include "engine/actor.h"
#include "engine/directory.h"

namespace assent::api {

// {"id","groups","service","admin"}
boost::json::object ToJson(const engine::UserView& user);
// The same shape, for GET /v1/me.
boost::json::object ToJson(const engine::Principal& principal);
// {"id","user_id","name","created_at","expires_at" (null: never),"revoked_at" (when revoked)}
boost::json::object ToJson(const engine::TokenView& token);
// The token's view plus "token": the text to send, shown this once.
boost::json::object ToJson(const engine::IssuedToken& issued);
// The user's view plus "token": the first token, as issued.
boost::json::object ToJson(const engine::CreatedUser& created);
// {"name","members"}
boost::json::object ToJson(const engine::GroupView& group);

}  // namespace assent::api
