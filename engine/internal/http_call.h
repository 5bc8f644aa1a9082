// HttpCall: one outbound HTTP/1.1 request made by an `http` step, asynchronously on the shard's
// executor. Plain http only for now.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "base/status.h"

namespace assent::engine {

struct HttpCallRequest {
  std::string method;
  std::string url;
  std::string body;  // sent as application/json when not empty
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{10'000};
  // A longer response body fails the call with kTooLarge (not retried: it would be as long).
  size_t max_response_bytes = 4u << 20;
};

struct HttpCallResponse {
  unsigned status = 0;
  std::string body;
};

// Calls `done` exactly once, on `executor`: the response (any status), or kUnavailable for a
// network failure or time-out, or kInvalidArgument for a URL that cannot be used.
void StartHttpCall(const boost::asio::any_io_executor& executor, HttpCallRequest request,
                   std::function<void(Result<HttpCallResponse>)> done);

}  // namespace assent::engine
