#include "api/identity_requests.h"

#include "api/json_fields.h"
#include "api/protocol/token_lifetime.h"

namespace assent::api {

namespace json = boost::json;

namespace {

// "expires_in" as a lifetime; none when absent.
Result<std::optional<std::chrono::seconds>> Lifetime(const json::object& body) {
  Result<std::string> text = OptionalString(body, "expires_in");
  if (!text.ok()) return text.status();
  if (text->empty()) return std::optional<std::chrono::seconds>();
  Result<std::chrono::seconds> lifetime = ParseTokenLifetime(*text);
  if (!lifetime.ok()) {
    return Status::InvalidArgument("\"expires_in\": " + lifetime.status().message());
  }
  return std::optional<std::chrono::seconds>(*lifetime);
}

}  // namespace

Result<AddUserRequest> ParseAddUser(const json::object& body) {
  if (Status known = CheckKnownFields(body, {"id", "groups", "service", "admin", "expires_in"});
      !known.ok()) {
    return known;
  }
  Result<std::string> id = RequiredString(body, "id");
  if (!id.ok()) return id.status();
  Result<std::optional<std::vector<std::string>>> groups = OptionalStrings(body, "groups");
  if (!groups.ok()) return groups.status();
  Result<bool> service = OptionalBool(body, "service");
  if (!service.ok()) return service.status();
  Result<bool> admin = OptionalBool(body, "admin");
  if (!admin.ok()) return admin.status();
  Result<std::optional<std::chrono::seconds>> lifetime = Lifetime(body);
  if (!lifetime.ok()) return lifetime.status();
  return AddUserRequest{
      engine::NewUser{std::move(id).value(), groups->value_or(std::vector<std::string>()),
                      *service, *admin},
      engine::NewToken{std::string(kFirstTokenName), *lifetime}};
}

Result<std::vector<std::string>> ParseSetGroups(const json::object& body) {
  if (Status known = CheckKnownFields(body, {"groups"}); !known.ok()) return known;
  Result<std::optional<std::vector<std::string>>> groups = OptionalStrings(body, "groups");
  if (!groups.ok()) return groups.status();
  if (!*groups) return Status::InvalidArgument("\"groups\" is required (an array of strings)");
  return std::move(**groups);
}

Result<engine::NewToken> ParseNewToken(const json::object& body) {
  if (Status known = CheckKnownFields(body, {"name", "expires_in"}); !known.ok()) return known;
  Result<std::string> name = RequiredString(body, "name");
  if (!name.ok()) return name.status();
  Result<std::optional<std::chrono::seconds>> lifetime = Lifetime(body);
  if (!lifetime.ok()) return lifetime.status();
  return engine::NewToken{std::move(name).value(), *lifetime};
}

}  // namespace assent::api
