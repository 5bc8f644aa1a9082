#include "engine/internal/outbound_url.h"

#include <algorithm>
#include <cctype>

#include <boost/url/authority_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "base/ascii.h"
#include "engine/internal/http_fields.h"

namespace assent::engine {
namespace {

namespace urls = boost::urls;

bool IsHexDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The WHATWG URL standard's "ends in a number": a name whose last label is decimal digits or
// 0x-prefixed hex is an IPv4 address to inet_aton and getaddrinfo, in whatever spelling.
bool ReadsAsANumber(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  const size_t dot = name.rfind('.');
  std::string_view last = dot == std::string_view::npos ? name : name.substr(dot + 1);
  if (last.empty()) return false;
  if (last.size() >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X')) {
    return last.size() == 2 || IsHexDigits(last.substr(2));
  }
  for (char c : last) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

// The host and port of a parsed URL or authority (both views have these accessors).
template <typename View>
Result<OutboundHost> HostOf(const View& view, uint16_t default_port) {
  if (view.has_userinfo()) {
    return Status::InvalidArgument("must not contain user info ('user@')");
  }
  OutboundHost host;
  host.port = default_port;
  switch (view.host_type()) {
    case urls::host_type::ipv4:
      host.kind = OutboundHost::Kind::kIpv4;
      host.host = view.host_ipv4_address().to_string();
      break;
    case urls::host_type::ipv6:
      host.kind = OutboundHost::Kind::kIpv6;
      host.host = view.host_ipv6_address().to_string();
      break;
    case urls::host_type::name: {
      std::string_view name = view.encoded_host();
      for (char c : name) {
        if (!IsNameChar(c)) {
          return Status::InvalidArgument("host '" + std::string(name) +
                                         "' may contain only letters, digits, '-', '_' and '.'");
        }
      }
      if (ReadsAsANumber(name)) {
        return Status::InvalidArgument("host '" + std::string(name) +
                                       "' reads as a number; write an IPv4 address as four "
                                       "decimal parts (169.254.169.254)");
      }
      host.kind = OutboundHost::Kind::kName;
      host.host = AsciiLower(name);
      break;
    }
    case urls::host_type::none:
    case urls::host_type::ipvfuture:
      break;
  }
  if (host.host.empty()) return Status::InvalidArgument("has no host name or address");
  if (view.has_port()) {
    if (view.port().empty() || view.port_number() == 0) {
      return Status::InvalidArgument("port '" + std::string(view.port()) +
                                     "' is not a number from 1 to 65535");
    }
    host.port = view.port_number();
  }
  return host;
}

// Bytes a URL may not hold unencoded, named so the author sees which and where.
Status CheckPrintableAscii(std::string_view url) {
  for (size_t i = 0; i < url.size(); ++i) {
    auto c = static_cast<unsigned char>(url[i]);
    if (c <= 0x20 || c >= 0x7F) {
      return Status::InvalidArgument(
          "contains " + DescribeByte(c) + " at offset " + std::to_string(i) +
          "; spaces, control characters and non-ASCII bytes must be percent-encoded");
    }
  }
  return Status::Ok();
}

// "." or ".." however spelt ("%2E", "%2e."): servers resolve them away, to another path.
bool IsDotSegment(std::string_view encoded) {
  std::string plain;
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded.substr(i, 3) == "%2e" || encoded.substr(i, 3) == "%2E") {
      plain += '.';
      i += 2;
    } else {
      plain += encoded[i];
    }
  }
  return plain == "." || plain == "..";
}

}  // namespace

std::string OutboundHost::ToString() const {
  std::string text = kind == Kind::kIpv6 ? "[" + host + "]" : host;
  return text + ":" + std::to_string(port);
}

Result<OutboundUrl> ParseOutboundUrl(std::string_view text) {
  if (Status printable = CheckPrintableAscii(text); !printable.ok()) return printable;
  auto url = urls::parse_uri(text);
  if (!url) return Status::InvalidArgument("is not an absolute URL (" + url.error().message() + ")");
  const bool tls = url->scheme_id() == urls::scheme::https;
  if ((!tls && url->scheme_id() != urls::scheme::http) || !url->has_authority()) {
    return Status::InvalidArgument("must be an http:// or https:// URL");
  }
  Result<OutboundHost> host = HostOf(*url, tls ? 443 : 80);
  if (!host.ok()) return host.status();
  // After an authority the path is empty or starts with '/' (RFC 3986 path-abempty); Boost.URL
  // 1.81 takes "http://1.2.3.4x/" as host 1.2.3.4 and path "x/", where other parsers see host
  // "1.2.3.4x".
  if (!url->encoded_path().empty() && url->encoded_path().front() != '/') {
    return Status::InvalidArgument("host or port is followed by '" +
                                   std::string(url->encoded_path().substr(0, 1)) +
                                   "' instead of '/', '?' or '#'");
  }
  // Split by hand: Boost.URL's segments() hides a leading "/." (its own disambiguation).
  std::string_view path = url->encoded_path();
  while (!path.empty()) {
    path.remove_prefix(1);  // the '/' before each segment of an absolute path
    const size_t end = std::min(path.find('/'), path.size());
    if (IsDotSegment(path.substr(0, end))) {
      return Status::InvalidArgument("path has a '" + std::string(path.substr(0, end)) +
                                     "' segment, which servers resolve to another path");
    }
    path.remove_prefix(end);
  }
  OutboundUrl out;
  out.tls = tls;
  out.host = std::move(host).value();
  out.host_header = std::string(url->encoded_host_and_port());
  out.target = std::string(url->encoded_target());
  if (out.target.empty() || out.target.front() != '/') out.target.insert(0, "/");  // "http://h?q"
  return out;
}

Result<OutboundHost> ParseOutboundAuthority(std::string_view text) {
  if (Status printable = CheckPrintableAscii(text); !printable.ok()) return printable;
  auto authority = urls::parse_authority(text);
  if (!authority) return Status::InvalidArgument("is not a host or host:port");
  return HostOf(*authority, 80);
}

}  // namespace assent::engine
