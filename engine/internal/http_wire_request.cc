#include "engine/internal/http_wire_request.h"

#include <boost/beast/http/field.hpp>

#include "engine/internal/http_fields.h"

namespace assent::engine {

namespace http = boost::beast::http;

Result<WireRequest> BuildWireRequest(const HttpCallRequest& request) {
  if (Status status = CheckMethod(request.method); !status.ok()) return status;
  for (const auto& [name, value] : request.headers) {
    Status checked = CheckFieldName(name);
    if (checked.ok()) checked = CheckFieldValue(value);
    if (!checked.ok()) {
      return Status::InvalidArgument("header '" + name + "': " + checked.message());
    }
  }
  Result<OutboundUrl> url = ParseOutboundUrl(request.url);
  if (!url.ok()) return Status::InvalidArgument("url: " + url.status().message());

  WireRequest wire{url->host, {}};
  http::request<http::string_body>& message = wire.message;
  message.method_string(request.method);
  message.target(url->target);
  message.version(11);
  message.set(http::field::host, url->host_header);
  message.set(http::field::user_agent, "assent");
  message.set(http::field::accept, "application/json");
  for (const auto& [name, value] : request.headers) message.set(name, value);
  if (!request.body.empty()) {
    message.set(http::field::content_type, "application/json");
    message.body() = request.body;
  }
  message.prepare_payload();
  return wire;
}

}  // namespace assent::engine
