// The rules for the names the directory keeps: user ids, group names and token names. One rule
// for all three, strict so that a name is safe in a URL path, a log line, an audit filter and
// a `group:<name>` access entry without any quoting: 1 to 64 characters, lowercase ASCII
// letters, digits, '.', '_' and '-', starting with a letter or a digit. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/status.h"

namespace assent::engine {

inline constexpr size_t kMaxNameBytes = 64;
// The user id of the bootstrap admin token: no user may take it.
inline constexpr std::string_view kBootstrapAdminId = "admin";

// kInvalidArgument naming `what` ("user id", "group name", "token name") and the rule.
Status CheckName(std::string_view what, std::string_view name);

}  // namespace assent::engine
