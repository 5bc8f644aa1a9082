// HttpTarget: a real HTTP server on 127.0.0.1 (port chosen by the OS) that http steps call in
// tests. It records every request and answers with what the test's responder returns.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace assent::testing {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

struct TargetResponse {
  unsigned status = 200;
  std::string body = "{}";
  std::map<std::string, std::string> headers = {};  // besides Content-Type (e.g. Location)
};

class HttpTarget {
 public:
  using Responder = std::function<TargetResponse(const ReceivedRequest&, size_t index)>;

  explicit HttpTarget(Responder responder);
  ~HttpTarget();

  uint16_t port() const { return port_; }
  std::string url(const std::string& path) const;
  std::vector<ReceivedRequest> requests() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace assent::testing
