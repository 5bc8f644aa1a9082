// HttpCall: one outbound HTTP/1.1 request made by an `http` step, asynchronously on the
// engine's io_context. Plain http only for now.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "base/status.h"

namespace assent::engine {

struct HttpCallRequest {
  std::string method;
  std::string url;
  std::string body;  // sent as application/json when not empty
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{10'000};
};

struct HttpCallResponse {
  unsigned status = 0;
  std::string body;
};

// Calls `done` exactly once, on `io`'s thread: the response (any status), or kUnavailable for
// a network failure or time-out, or kInvalidArgument for a URL that cannot be used.
void StartHttpCall(boost::asio::io_context& io, HttpCallRequest request,
                   std::function<void(Result<HttpCallResponse>)> done);

}  // namespace assent::engine
