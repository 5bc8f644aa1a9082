// HttpTarget: a real HTTP server on 127.0.0.1 (port chosen by the OS) that http steps and
// webhook deliveries call in tests. It records every request and answers with what the test's
// responder returns. Given a certificate and key (tests/support/test_pki.h) it speaks HTTPS;
// a client that refuses the certificate leaves no request recorded.
#pragma once

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

 private:
  HttpTarget(Responder responder, std::optional<TlsIdentity> tls);

  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace assent::testing
