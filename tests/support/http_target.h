// HttpTarget: a real HTTP server on 127.0.0.1 (port chosen by the OS) that http steps and
// webhook deliveries call in tests. It records every request and answers with what the test's
// responder returns. Given a certificate and key (tests/support/test_pki.h) it speaks HTTPS;
// a client that refuses the certificate leaves no request recorded.
//
// Each connection is served on a thread of its own and kept open while the client keeps it
// (HTTP/1.1 keep-alive), so the connections a client opens, keeps and closes can be counted.
// The responder is called for one request at a time, in the order they are read. A response
// with a `Connection: close` header closes its connection once written.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
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
  bool hang_up = false;  // close the connection instead of answering
};

struct TlsIdentity {
  std::string cert_file;  // PEM
  std::string key_file;   // PEM
};

class HttpTarget {
 public:
  using Responder = std::function<TargetResponse(const ReceivedRequest&, size_t index)>;

  explicit HttpTarget(Responder responder);
  HttpTarget(Responder responder, TlsIdentity tls);
  ~HttpTarget();

  uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port><path>" ("https://" with TLS); `host` replaces the address.
  std::string url(const std::string& path, const std::string& host = "127.0.0.1") const;
  std::vector<ReceivedRequest> requests() const;

  struct Connections {
    size_t accepted = 0;  // since the start
    size_t open = 0;      // now
    size_t most_open = 0;  // at once, since the start
  };
  Connections connections() const;
  // Waits (at most `limit`) until `condition` holds for the connections; false if it never did.
  bool WaitForConnections(const std::function<bool(const Connections&)>& condition,
                          std::chrono::milliseconds limit) const;

 private:
  HttpTarget(Responder responder, std::optional<TlsIdentity> tls);

  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace assent::testing
