// What an http step sends (engine/internal/http_fields.h, outbound_url.h, url_template.h,
// http_wire_request.h). The input is five fields separated by "\n--\n": method, header name,
// header value, URL template, and the value every placeholder of the template renders to.
// Properties:
// - a header value passes exactly when it has no control character but tab;
// - a header name that passes is a token;
// - a URL that parses puts only printable ASCII in the request target and Host header;
// - a value rendered after a literal origin never changes the host;
// - a request that passes every check, serialized as it would be sent and parsed back, is one
//   message that uses every byte, with the same method, target and fields: nothing smuggled.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/write.hpp>

#include "engine/internal/http_fields.h"
#include "engine/internal/http_wire_request.h"
#include "engine/internal/outbound_url.h"
#include "engine/internal/url_template.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace http = boost::beast::http;
using namespace assent::engine;

std::vector<std::string_view> Fields(std::string_view input) {
  constexpr std::string_view kSeparator = "\n--\n";
  std::vector<std::string_view> fields;
  while (fields.size() < 4) {
    size_t at = input.find(kSeparator);
    if (at == std::string_view::npos) break;
    fields.push_back(input.substr(0, at));
    input.remove_prefix(at + kSeparator.size());
  }
  fields.push_back(input);
  fields.resize(5);
  return fields;
}

bool IsControl(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7F; }

bool PrintableAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F) return false;
  }
  return true;
}

std::string_view TrimOws(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

void CheckFieldSyntax(std::string_view name, std::string_view value) {
  bool has_control = false;
  for (char c : value) has_control |= IsControl(static_cast<unsigned char>(c));
  FUZZ_CHECK(CheckFieldValue(value).ok() == !has_control);
  if (CheckFieldName(name).ok()) FUZZ_CHECK(IsHttpToken(name));
}

// The rendered URL, and the host a literal origin fixes.
std::string CheckUrl(std::string_view tmpl, std::string_view value) {
  auto rendered = RenderUrlTemplate(tmpl, [&](std::string_view) -> assent::Result<std::string> {
    return std::string(value);
  });
  if (!rendered.ok()) return std::string(tmpl);
  auto url = ParseOutboundUrl(rendered->url);
  if (url.ok()) {
    FUZZ_CHECK(PrintableAscii(url->target) && url->target.front() == '/');
    FUZZ_CHECK(PrintableAscii(url->host_header));
  }
  auto sample = RenderUrlTemplate(tmpl, [](std::string_view) -> assent::Result<std::string> {
    return std::string("x");
  });
  if (url.ok() && sample.ok() && !sample->dynamic_origin) {
    auto fixed = ParseOutboundUrl(sample->url);
    if (fixed.ok()) FUZZ_CHECK(fixed->host == url->host);
  }
  return rendered->url;
}

// Serialized as HttpCall would write it and parsed back: one message, the same one.
void CheckWire(const HttpCallRequest& request) {
  auto wire = BuildWireRequest(request);
  if (!wire.ok()) return;
  std::ostringstream out;
  out << wire->message;
  const std::string bytes = out.str();

  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.header_limit(1u << 30);
  parser.body_limit(1u << 30);
  boost::beast::error_code ec;
  size_t used = parser.put(boost::asio::buffer(bytes), ec);
  FUZZ_CHECK(!ec);
  FUZZ_CHECK(parser.is_done());
  FUZZ_CHECK(used == bytes.size());
  const auto& parsed = parser.get();
  FUZZ_CHECK(parsed.method_string() == request.method);
  FUZZ_CHECK(parsed.target() == wire->message.target());
  FUZZ_CHECK(parsed.body() == request.body);
  auto sent = wire->message.begin();
  for (const auto& field : parsed) {
    FUZZ_CHECK(sent != wire->message.end());
    FUZZ_CHECK(field.name_string() == sent->name_string());
    FUZZ_CHECK(TrimOws(field.value()) == TrimOws(sent->value()));
    ++sent;
  }
  FUZZ_CHECK(sent == wire->message.end());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string_view> fields =
      Fields(std::string_view(reinterpret_cast<const char*>(data), size));
  const std::string_view method = fields[0], name = fields[1], value = fields[2];
  CheckFieldSyntax(name, value);
  std::string url = CheckUrl(fields[3], fields[4]);
  HttpCallRequest request{std::string(method), url, std::string(fields[4]),
                          {{std::string(name), std::string(value)}}};
  CheckWire(request);
  return 0;
}
