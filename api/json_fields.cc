#include "api/json_fields.h"

#include <algorithm>

namespace assent::api {

namespace json = boost::json;

namespace {

Status WrongType(std::string_view key, std::string_view type) {
  return Status::InvalidArgument("\"" + std::string(key) + "\" must be " + std::string(type));
}

}  // namespace

Result<std::string> OptionalString(const json::object& body, std::string_view key) {
  const json::value* value = body.if_contains(key);
  if (value == nullptr || value->is_null()) return std::string();
  if (!value->is_string()) return WrongType(key, "a string");
  return std::string(value->get_string());
}

Result<std::string> RequiredString(const json::object& body, std::string_view key) {
  Result<std::string> text = OptionalString(body, key);
  if (text.ok() && text->empty()) return WrongType(key, "a non-empty string");
  return text;
}

Result<bool> OptionalBool(const json::object& body, std::string_view key) {
  const json::value* value = body.if_contains(key);
  if (value == nullptr || value->is_null()) return false;
  if (!value->is_bool()) return WrongType(key, "true or false");
  return value->get_bool();
}

Result<std::optional<std::vector<std::string>>> OptionalStrings(const json::object& body,
                                                                std::string_view key) {
  const json::value* value = body.if_contains(key);
  if (value == nullptr || value->is_null()) return std::optional<std::vector<std::string>>();
  if (!value->is_array()) return WrongType(key, "an array of strings");
  std::vector<std::string> texts;
  for (const json::value& item : value->get_array()) {
    if (!item.is_string()) return WrongType(key, "an array of strings");
    texts.emplace_back(item.get_string());
  }
  return std::optional<std::vector<std::string>>(std::move(texts));
}

Status CheckKnownFields(const json::object& body, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : body) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string expected;
    for (std::string_view field : known) {
      expected += (expected.empty() ? "\"" : ", \"") + std::string(field) + "\"";
    }
    constexpr size_t kShownKey = 64;  // enough to see the typo, not to echo a megabyte back
    std::string shown(key.substr(0, kShownKey));
    if (key.size() > kShownKey) shown += "...";
    return Status::InvalidArgument("unknown field \"" + shown + "\" (expected " +
                                   (expected.empty() ? "none" : expected) + ")");
  }
  return Status::Ok();
}

}  // namespace assent::api
