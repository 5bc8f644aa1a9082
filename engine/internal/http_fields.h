// The syntax of what an outbound request puts on the wire besides its URL: the method and the
// header fields (RFC 9110 §9.1 and §5). Every check here refuses rather than repairs, so a
// value rendered from run data can never end a line, add a header or start a second request.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace assent::engine {

// One byte for a message a person can act on: "CR (0x0D)", "LF (0x0A)", "NUL (0x00)",
// "a space (0x20)", else "byte 0x1B".
std::string DescribeByte(unsigned char c);

// A token (RFC 9110 §5.6.2): 1 or more of A-Z a-z 0-9 ! # $ % & ' * + - . ^ _ ` | ~.
bool IsHttpToken(std::string_view text);

// A method is a token.
Status CheckMethod(std::string_view method);

// Longest header name and value accepted: most servers refuse a field over 8 KiB, and Beast
// cannot hold one of 64 KiB (it throws).
inline constexpr size_t kMaxFieldNameBytes = 256;
inline constexpr size_t kMaxFieldValueBytes = 8192;

// A field name is a token of at most kMaxFieldNameBytes. Names that frame the message or the connection (Host,
// Content-Length, Transfer-Encoding, Connection, Keep-Alive, Proxy-Connection, TE, Trailer,
// Upgrade) are refused too: Assent sets what it needs of them, and a step that set them could
// make one call read as another to the server or to a proxy on the way.
Status CheckFieldName(std::string_view name);

// A field value (RFC 9110 §5.5) of at most kMaxFieldValueBytes: any byte but the control characters, where horizontal tab is
// allowed. So CR, LF and NUL are refused, and so are the other controls (0x01-0x08, 0x0B-0x1F,
// 0x7F), which servers treat inconsistently. Bytes from 0x80 up (UTF-8 text) pass as obs-text.
// Messages name the byte and its offset, not the header: the caller does.
Status CheckFieldValue(std::string_view value);

}  // namespace assent::engine
