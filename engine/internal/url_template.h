// The URL of an http step is a template, rendered in two parts:
//
//   http://api.example.com:8080 | /users/{{input.id}}?q={{input.q}}
//   origin: scheme, host, port  | path, query, fragment
//
// The origin ends at the first literal '/', '?' or '#' after the "://" (or, when "://" is not
// literal text, after the first placeholder). A value placed after that point is
// percent-encoded as one component: everything but A-Z a-z 0-9 - . _ ~ (RFC 3986 unreserved,
// as RFC 6570's simple expansion does), so run data can add no segment, parameter or fragment
// and no byte that ends a request line. A value placed in the origin is inserted as it is:
// only steps with `allow_hosts` may do that, and what it renders is checked against the list.
//
// Pure functions; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace assent::engine {

struct RenderedUrl {
  std::string url;
  bool dynamic_origin = false;  // a placeholder lies in the scheme, host or port
};

// Gives the text a placeholder's path inserts.
using PlaceholderText = std::function<Result<std::string>(std::string_view path)>;

Result<RenderedUrl> RenderUrlTemplate(std::string_view tmpl, const PlaceholderText& text_of);

}  // namespace assent::engine
