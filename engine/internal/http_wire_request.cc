#include "engine/internal/http_wire_request.h"

#include <exception>
#include <string>

#include <boost/beast/http/field.hpp>

#include "engine/internal/http_fields.h"

namespace assent::engine {
namespace {

namespace http = boost::beast::http;

Result<WireRequest> Build(const HttpCallRequest& request) {
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

  WireRequest wire{url->tls, url->host, {}};
  http::request<http::string_body>& message = wire.message;
  message.method_string(request.method);
  message.target(url->target);
  message.version(11);
  message.set(http::field::host, url->host_header);
  message.set(http::field::user_agent, "assent");
  message.set(http::field::accept, "application/json");
  for (const auto& [name, value] : request.headers) message.set(name, value);
  if (!request.body.empty()) {
    // RFC 9110 §9.3.8; Beast's prepare_payload throws for it.
    if (message.method() == http::verb::trace) {
      return Status::InvalidArgument("method TRACE cannot carry a body");
    }
    message.set(http::field::content_type, "application/json");
    message.body() = request.body;
  }
  message.prepare_payload();
  return wire;
}

}  // namespace

Result<WireRequest> BuildWireRequest(const HttpCallRequest& request) {
  // Beast reports what it cannot build by throwing. The checks keep every case known to throw
  // out (field sizes, TRACE with a body); this keeps one that slipped past from escaping onto
  // the shard's thread, where it would end the process.
  try {
    return Build(request);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("the request cannot be built: ") + e.what());
  }
}

}  // namespace assent::engine
