#include "api/request_framing.h"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <string_view>
#include <vector>

namespace assent::api {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

ApiError BadRequest(std::string message) { return ApiError::InvalidArgument(std::move(message)); }

// RFC 9110 §5.6.2: tchar.
bool IsToken(std::string_view text) {
  constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kSymbols.find(c) != kSymbols.npos;
  });
}

// Appends the codings of one Transfer-Encoding field line (a comma-separated list of tokens,
// with optional white space); false when one is not a token. Not Beast's token_list, which
// skips what is not a token: a coding the server skipped is one it would misread.
bool SplitCodings(std::string_view value, std::vector<std::string_view>* codings) {
  while (true) {
    size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    size_t begin = item.find_first_not_of(" \t");
    size_t end = item.find_last_not_of(" \t");
    item =
        begin == std::string_view::npos ? std::string_view() : item.substr(begin, end - begin + 1);
    if (!IsToken(item)) return false;
    codings->push_back(item);
    if (comma == std::string_view::npos) return true;
    value.remove_prefix(comma + 1);
  }
}

std::optional<ApiError> CheckTransferEncoding(const http::request_header<>& header) {
  std::vector<std::string_view> codings;
  auto [first, last] = header.equal_range(http::field::transfer_encoding);
  for (auto field = first; field != last; ++field) {
    if (!SplitCodings(field->value(), &codings)) {
      return BadRequest("malformed HTTP request: Transfer-Encoding must be a list of codings");
    }
  }
  if (codings.empty()) return std::nullopt;
  if (header.count(http::field::content_length) > 0) {
    return BadRequest("malformed HTTP request: both Transfer-Encoding and Content-Length");
  }
  if (header.version() < 11) {
    return BadRequest("malformed HTTP request: Transfer-Encoding in an HTTP/1.0 request");
  }
  auto is_chunked = [](std::string_view coding) { return beast::iequals(coding, "chunked"); };
  if (!is_chunked(codings.back())) {
    return BadRequest("malformed HTTP request: Transfer-Encoding must end with chunked");
  }
  if (std::count_if(codings.begin(), codings.end(), is_chunked) > 1) {
    return BadRequest("malformed HTTP request: chunked applied more than once");
  }
  if (codings.size() > 1) {
    return ApiError{http::status::not_implemented, "not_implemented",
                    "unsupported Transfer-Encoding \"" + std::string(codings.front()) +
                        "\": only chunked is accepted"};
  }
  return std::nullopt;
}

std::optional<ApiError> CheckHost(const http::request_header<>& header) {
  size_t hosts = header.count(http::field::host);
  if (hosts == 0 && header.version() >= 11) {
    return BadRequest("malformed HTTP request: an HTTP/1.1 request needs a Host header");
  }
  if (hosts > 1) return BadRequest("malformed HTTP request: more than one Host header");
  if (hosts == 0) return std::nullopt;
  // Host = uri-host [":" port] (RFC 9110 §7.2): an authority without userinfo.
  std::string_view host = header[http::field::host];
  boost::urls::result<boost::urls::authority_view> authority = boost::urls::parse_authority(host);
  if (!authority || authority->has_userinfo()) {
    return BadRequest("malformed HTTP request: invalid Host header");
  }
  return std::nullopt;
}

}  // namespace

std::optional<ApiError> CheckRequestHeader(const http::request_header<>& header) {
  if (std::optional<ApiError> error = CheckTransferEncoding(header)) return error;
  return CheckHost(header);
}

}  // namespace assent::api
