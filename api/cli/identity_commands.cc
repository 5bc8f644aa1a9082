// The subcommands that manage identities over /v1/users, /v1/tokens, /v1/groups and /v1/me:
// `assent users add|list|show|set-groups|remove`, `assent tokens create|list|revoke`,
// `assent me`. The server allows all but `me` to admins only.
#include <iostream>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "api/cli/command.h"
#include "api/cli/format.h"
#include "api/cli/server_call.h"
#include "api/protocol/token_lifetime.h"

namespace assent::cli {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

// "finance,ops" as a JSON array; empty parts are dropped, so "" is no group.
json::array GroupList(const std::string& text) {
  json::array groups;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = std::min(text.find(',', start), text.size());
    if (end > start) groups.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return groups;
}

std::string JoinedGroups(const json::object& user) {
  const json::value* groups = user.if_contains("groups");
  std::string joined;
  if (groups != nullptr && groups->is_array()) {
    for (const json::value& group : groups->get_array()) {
      if (!group.is_string()) continue;
      joined += (joined.empty() ? "" : ",") + std::string(group.get_string());
    }
  }
  return joined.empty() ? "-" : joined;
}

std::string UserLine(const json::object& user) {
  std::string line = FieldText(user, "id") + "  groups: " + JoinedGroups(user);
  if (user.contains("service") && user.at("service") == true) line += "  (service account)";
  if (user.contains("admin") && user.at("admin") == true) line += "  (admin)";
  return line + "\n";
}

// An issued token, once: it cannot be read back from the server.
std::string IssuedTokenText(const json::object& token) {
  std::string expires = FieldText(token, "expires_at");
  return "token " + FieldText(token, "name") + " (id " + FieldText(token, "id") + ", " +
         (expires == "null" || expires.empty() ? "never expires" : "expires " + expires) +
         "):\n  " + FieldText(token, "token") +
         "\nKeep it now: it is shown only this once and cannot be read back.\n";
}

// --expires as "expires_in" in `body`; false after printing a usage error.
bool AddExpiry(const ParsedArgs& args, std::string_view command, json::object& body) {
  std::optional<std::string> expires = args.Get("expires");
  if (!expires) return true;
  if (Result<std::chrono::seconds> lifetime = api::ParseTokenLifetime(*expires); !lifetime.ok()) {
    std::cerr << "assent " << command << ": bad --expires \"" << *expires
              << "\": " << lifetime.status().message() << "\n";
    return false;
  }
  body["expires_in"] = *expires;
  return true;
}

std::string UserTarget(const std::string& id) { return "/v1/users/" + Encode(id); }

int UsersAdd(const ParsedArgs& args) {
  json::object body{{"id", args.positional[0]},
                    {"groups", GroupList(args.Get("groups").value_or(""))},
                    {"service", args.Has("service")},
                    {"admin", args.Has("admin")}};
  if (!AddExpiry(args, "users add", body)) return 2;
  json::value request = std::move(body);
  std::optional<ApiResponse> response = CallServer(args, http::verb::post, "/v1/users", &request);
  if (!response) return 1;
  return Print(args, response->body, [](const json::object& user) {
    const json::value* token = user.if_contains("token");
    return "added user " + UserLine(user) +
           (token != nullptr && token->is_object() ? IssuedTokenText(token->get_object()) : "");
  });
}

int UsersList(const ParsedArgs& args) {
  std::optional<ApiResponse> response = CallServer(args, http::verb::get, "/v1/users");
  if (!response) return 1;
  return Print(args, response->body, [](const json::object& body) {
    std::vector<std::vector<std::string>> rows;
    for (const json::value& user : ListField(body, "users")) {
      if (!user.is_object()) continue;
      const json::object& u = user.get_object();
      rows.push_back({FieldText(u, "id"), JoinedGroups(u), FieldText(u, "service"),
                      FieldText(u, "admin")});
    }
    return FormatTable({"ID", "GROUPS", "SERVICE", "ADMIN"}, rows);
  });
}

std::string TokenTable(const json::array& tokens) {
  std::vector<std::vector<std::string>> rows;
  for (const json::value& token : tokens) {
    if (!token.is_object()) continue;
    const json::object& t = token.get_object();
    std::string expires = FieldText(t, "expires_at");
    std::string revoked = FieldText(t, "revoked_at");
    rows.push_back({FieldText(t, "id"), FieldText(t, "name"), FieldText(t, "created_at"),
                    expires == "null" ? "never" : expires, revoked.empty() ? "-" : revoked});
  }
  return FormatTable({"ID", "NAME", "CREATED", "EXPIRES", "REVOKED"}, rows);
}

int UsersShow(const ParsedArgs& args) {
  std::string target = UserTarget(args.positional[0]);
  std::optional<ApiResponse> user = CallServer(args, http::verb::get, target);
  if (!user) return 1;
  std::optional<ApiResponse> tokens = CallServer(args, http::verb::get, target + "/tokens");
  if (!tokens) return 1;
  if (args.Has("json") || !user->body.is_object() || !tokens->body.is_object()) {
    std::cout << json::serialize(json::object{{"user", user->body}, {"tokens", tokens->body}})
              << "\n";
    return 0;
  }
  std::cout << UserLine(user->body.get_object())
            << TokenTable(ListField(tokens->body.get_object(), "tokens"));
  return 0;
}

int UsersSetGroups(const ParsedArgs& args) {
  json::value body = json::object{{"groups", GroupList(args.positional[1])}};
  std::optional<ApiResponse> response =
      CallServer(args, http::verb::patch, UserTarget(args.positional[0]), &body);
  if (!response) return 1;
  return Print(args, response->body, [](const json::object& user) { return UserLine(user); });
}

int UsersRemove(const ParsedArgs& args) {
  std::optional<ApiResponse> response =
      CallServer(args, http::verb::delete_, UserTarget(args.positional[0]));
  if (!response) return 1;
  return Print(args, response->body, [](const json::object& user) {
    return "removed user " + FieldText(user, "id") + "; their tokens no longer work\n";
  });
}

int TokensCreate(const ParsedArgs& args) {
  json::object body{{"name", args.Get("name").value_or("")}};
  if (!AddExpiry(args, "tokens create", body)) return 2;
  json::value request = std::move(body);
  std::optional<ApiResponse> response =
      CallServer(args, http::verb::post, UserTarget(args.positional[0]) + "/tokens", &request);
  if (!response) return 1;
  return Print(args, response->body, IssuedTokenText);
}

int TokensList(const ParsedArgs& args) {
  std::optional<ApiResponse> response =
      CallServer(args, http::verb::get, UserTarget(args.positional[0]) + "/tokens");
  if (!response) return 1;
  return Print(args, response->body,
               [](const json::object& body) { return TokenTable(ListField(body, "tokens")); });
}

int TokensRevoke(const ParsedArgs& args) {
  std::optional<ApiResponse> response =
      CallServer(args, http::verb::delete_, "/v1/tokens/" + Encode(args.positional[0]));
  if (!response) return 1;
  return Print(args, response->body, [](const json::object& token) {
    return "revoked token " + FieldText(token, "name") + " (id " + FieldText(token, "id") +
           ") of " + FieldText(token, "user_id") + "\n";
  });
}

int Me(const ParsedArgs& args) {
  std::optional<ApiResponse> response = CallServer(args, http::verb::get, "/v1/me");
  if (!response) return 1;
  return Print(args, response->body, [](const json::object& user) { return UserLine(user); });
}

const FlagSpec kExpiresFlag{"expires", true,
                            "the token's lifetime, e.g. 90d, 12h, 30m (default: never expires; "
                            "at most 3650d)",
                            "DURATION"};

}  // namespace

std::vector<Command> IdentityCommands() {
  return {
      {"users add", "Add a user (or service account) and print their first token, once.", "ID",
       1, 1,
       ClientFlags({{"groups", true, "comma-separated groups, e.g. finance,ops", "G1,G2"},
                    {"service", false, "a service account: starts runs, never decides"},
                    {"admin", false, "may manage users and tokens"},
                    kExpiresFlag}),
       UsersAdd},
      {"users list", "List users.", "", 0, 0, ClientFlags(), UsersList},
      {"users show", "Show a user and their tokens.", "ID", 1, 1, ClientFlags(), UsersShow},
      {"users set-groups", "Replace a user's groups (\"\" for none).", "ID G1,G2", 2, 2,
       ClientFlags(), UsersSetGroups},
      {"users remove", "Remove a user and revoke their tokens; the id is never reused.", "ID", 1,
       1, ClientFlags(), UsersRemove},
      {"tokens create", "Issue another token for a user and print it, once.", "USER", 1, 1,
       ClientFlags({{"name", true, "what the token is for, e.g. laptop (required)", "NAME"},
                    kExpiresFlag}),
       TokensCreate},
      {"tokens list", "List a user's tokens (never their secrets).", "USER", 1, 1, ClientFlags(),
       TokensList},
      {"tokens revoke", "Revoke a token: it stops working at once.", "TOKEN_ID", 1, 1,
       ClientFlags(), TokensRevoke},
      {"me", "Show who the token you use belongs to.", "", 0, 0, ClientFlags(), Me},
  };
}

}  // namespace assent::cli
