#include "api/identity_routes.h"

#include "api/identity_requests.h"
#include "api/identity_views.h"

namespace assent::api {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

// True for admins; otherwise answers 403 and returns false.
bool RequireAdmin(const Call& call) {
  if (call.caller.admin) return true;
  call.reply.Error(ApiError::Forbidden("managing users and tokens needs an admin"));
  return false;
}

// The directory's answer as JSON with `status`, or its error. Copied into the callback.
template <typename T>
engine::Directory::Done<T> Answer(const Reply& reply, http::status status = http::status::ok) {
  return [reply, status](Result<T> result) {
    if (!result.ok()) return reply.Error(ErrorFromStatus(result.status()));
    reply.Json(status, ToJson(*result));
  };
}

template <typename T>
json::array JsonArray(const std::vector<T>& views) {
  json::array out;
  for (const T& view : views) out.push_back(ToJson(view));
  return out;
}

}  // namespace

void GetMe(Call& call) { call.reply.Json(http::status::ok, ToJson(call.caller)); }

void ListUsers(Call& call) {
  if (!RequireAdmin(call)) return;
  call.reply.Json(http::status::ok, json::object{{"users", JsonArray(call.directory.ListUsers())}});
}

void AddUser(Call& call) {
  if (!RequireAdmin(call)) return;
  std::optional<json::object> body = call.Body();
  if (!body) return;
  std::optional<AddUserRequest> request = call.Command(ParseAddUser(*body));
  if (!request) return;
  call.directory.AddUser(call.caller, std::move(request->user),
                         std::move(request->first_token),
                         Answer<engine::CreatedUser>(call.reply, http::status::created));
}

void GetUser(Call& call) {
  if (!RequireAdmin(call)) return;
  Answer<engine::UserView>(call.reply)(call.directory.GetUser(call.params[0]));
}

void SetGroups(Call& call) {
  if (!RequireAdmin(call)) return;
  std::optional<json::object> body = call.Body();
  if (!body) return;
  std::optional<std::vector<std::string>> groups = call.Command(ParseSetGroups(*body));
  if (!groups) return;
  call.directory.SetGroups(call.caller, call.params[0], std::move(*groups),
                           Answer<engine::UserView>(call.reply));
}

void RemoveUser(Call& call) {
  if (!RequireAdmin(call)) return;
  call.directory.RemoveUser(call.caller, call.params[0], Answer<engine::UserView>(call.reply));
}

void ListTokens(Call& call) {
  if (!RequireAdmin(call)) return;
  Result<std::vector<engine::TokenView>> tokens = call.directory.ListTokens(call.params[0]);
  if (!tokens.ok()) return call.reply.Error(ErrorFromStatus(tokens.status()));
  call.reply.Json(http::status::ok, json::object{{"tokens", JsonArray(*tokens)}});
}

void IssueToken(Call& call) {
  if (!RequireAdmin(call)) return;
  std::optional<json::object> body = call.Body();
  if (!body) return;
  std::optional<engine::NewToken> token = call.Command(ParseNewToken(*body));
  if (!token) return;
  call.directory.IssueToken(call.caller, call.params[0], std::move(*token),
                            Answer<engine::IssuedToken>(call.reply, http::status::created));
}

void RevokeToken(Call& call) {
  if (!RequireAdmin(call)) return;
  call.directory.RevokeToken(call.caller, call.params[0],
                             Answer<engine::TokenView>(call.reply));
}

void ListGroups(Call& call) {
  if (!RequireAdmin(call)) return;
  call.reply.Json(http::status::ok,
                  json::object{{"groups", JsonArray(call.directory.ListGroups())}});
}

}  // namespace assent::api
