// ASCII case folding for protocol text (header names, URL schemes and hosts, tool names), where
// case-insensitive means ASCII letters only, whatever the process's locale: std::tolower
// would follow the C locale, and bytes of UTF-8 text must pass through untouched.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace assent {

// `text` with 'A' to 'Z' turned into 'a' to 'z' and every other byte as it was.
std::string AsciiLower(std::string_view text);

}  // namespace assent
