// Reading the fields of a client's JSON object, the same way for every request body: typed
// getters with clear messages, and the refusal of fields a request does not know. Failures are
// Status::InvalidArgument naming the field. Pure; thread-safe.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "base/status.h"

namespace assent::api {

// The string at `key`, "" when absent or null; an error when present but not a string.
Result<std::string> OptionalString(const boost::json::object& body, std::string_view key);
// The same, and an error when it is absent or empty.
Result<std::string> RequiredString(const boost::json::object& body, std::string_view key);
// The boolean at `key`, false when absent or null.
Result<bool> OptionalBool(const boost::json::object& body, std::string_view key);
// The array of strings at `key`; nullopt when absent or null.
Result<std::optional<std::vector<std::string>>> OptionalStrings(const boost::json::object& body,
                                                                std::string_view key);

// A field the request does not know is refused, not ignored: a typo ("inptu") would otherwise
// start a run with no input, or decide without the comment the reviewer wrote.
Status CheckKnownFields(const boost::json::object& body,
                        std::initializer_list<std::string_view> known);

}  // namespace assent::api
