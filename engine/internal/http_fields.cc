#include "engine/internal/http_fields.h"

#include <array>
#include <cstdio>
#include <string>

#include <boost/beast/http/field.hpp>

namespace assent::engine {
namespace {

namespace http = boost::beast::http;

bool IsTokenChar(unsigned char c) {
  static constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         kSymbols.find(static_cast<char>(c)) != std::string_view::npos;
}

std::string FirstNonTokenByte(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (!IsTokenChar(c)) return DescribeByte(c) + " at offset " + std::to_string(i);
  }
  return {};
}

}  // namespace

std::string DescribeByte(unsigned char c) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", c);
  switch (c) {
    case '\r': return std::string("CR (") + hex + ")";
    case '\n': return std::string("LF (") + hex + ")";
    case '\0': return std::string("NUL (") + hex + ")";
    case ' ': return std::string("a space (") + hex + ")";
    default: return std::string("byte ") + hex;
  }
}

bool IsHttpToken(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsTokenChar(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

Status CheckMethod(std::string_view method) {
  if (method.empty()) return Status::InvalidArgument("method is empty");
  if (!IsHttpToken(method)) {
    return Status::InvalidArgument("method contains " + FirstNonTokenByte(method) +
                                   "; a method is a token (RFC 9110 §9.1)");
  }
  return Status::Ok();
}

Status CheckFieldName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("name is empty");
  if (name.size() > kMaxFieldNameBytes) {
    return Status::InvalidArgument("name is " + std::to_string(name.size()) +
                                   " bytes; at most " + std::to_string(kMaxFieldNameBytes));
  }
  if (!IsHttpToken(name)) {
    return Status::InvalidArgument("name contains " + FirstNonTokenByte(name) +
                                   "; a header name is a token (RFC 9110 §5.1)");
  }
  static constexpr std::array kFraming{
      http::field::host,       http::field::content_length,   http::field::transfer_encoding,
      http::field::connection, http::field::keep_alive,       http::field::proxy_connection,
      http::field::te,         http::field::trailer,          http::field::upgrade};
  const http::field field = http::string_to_field(name);  // case-insensitive
  for (http::field framing : kFraming) {
    if (field == framing) {
      return Status::InvalidArgument(
          "frames the request or the connection, so only Assent sets it");
    }
  }
  return Status::Ok();
}

Status CheckFieldValue(std::string_view value) {
  if (value.size() > kMaxFieldValueBytes) {
    return Status::InvalidArgument("value is " + std::to_string(value.size()) +
                                   " bytes; at most " + std::to_string(kMaxFieldValueBytes));
  }
  for (size_t i = 0; i < value.size(); ++i) {
    auto c = static_cast<unsigned char>(value[i]);
    if ((c < 0x20 && c != '\t') || c == 0x7F) {
      return Status::InvalidArgument(
          "value contains " + DescribeByte(c) + " at offset " + std::to_string(i) +
          "; control characters (CR, LF, NUL and the others but tab) cannot be sent");
    }
  }
  return Status::Ok();
}

}  // namespace assent::engine
