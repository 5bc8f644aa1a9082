#include "api/identity_views.h"

#include <boost/json/array.hpp>

#include "api/json_views.h"

namespace assent::api {

namespace json = boost::json;

namespace {

json::array Strings(const std::vector<std::string>& texts) {
  return json::array(texts.begin(), texts.end());
}

}  // namespace

json::object ToJson(const engine::UserView& user) {
  return {{"id", user.id},
          {"groups", Strings(user.groups)},
          {"service", user.service},
          {"admin", user.admin}};
}

json::object ToJson(const engine::Principal& principal) {
  return ToJson(
      engine::UserView{principal.id, principal.groups, principal.service, principal.admin});
}

json::object ToJson(const engine::TokenView& token) {
  json::object out{{"id", token.id},
                   {"user_id", token.user_id},
                   {"name", token.name},
                   {"created_at", FormatTime(token.created_at_ms)},
                   {"expires_at", nullptr}};
  if (token.expires_at_ms) out["expires_at"] = FormatTime(*token.expires_at_ms);
  if (token.revoked_at_ms) out["revoked_at"] = FormatTime(*token.revoked_at_ms);
  return out;
}

json::object ToJson(const engine::IssuedToken& issued) {
  json::object out = ToJson(issued.token);
  out["token"] = issued.text;
  return out;
}

json::object ToJson(const engine::CreatedUser& created) {
  json::object out = ToJson(created.user);
  out["token"] = ToJson(created.token);
  return out;
}

json::object ToJson(const engine::GroupView& group) {
  return {{"name", group.name}, {"members", Strings(group.members)}};
}

}  // namespace assent::api
