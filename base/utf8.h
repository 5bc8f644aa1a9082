// UTF-8 checks for text that becomes JSON. Boost.JSON refuses to parse a document whose strings
// are not UTF-8, yet serializes any bytes it is given, so bytes from Lua (whose strings are
// byte strings) or from a damaged record must be checked or repaired before they are stored or
// shown as JSON: otherwise what the engine writes is not what it can read back.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace assent {

// Whether `text` is UTF-8 as RFC 3629 (and Boost.JSON) define it: shortest forms only, no
// surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view text);

// `text` with each byte that does not start a valid sequence replaced by U+FFFD.
std::string ToValidUtf8(std::string_view text);

}  // namespace assent
