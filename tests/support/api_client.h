// Clients for end-to-end tests of a running server on 127.0.0.1: ApiClient speaks REST over one
// keep-alive connection; StreamClient speaks the /v1/stream WebSocket. Every wait is bounded and
// throws std::runtime_error with what was expected when it runs out.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

namespace assent::testing {

struct HttpReply {
  unsigned status = 0;
  boost::json::value body;  // null when the body is not JSON
  std::string raw;
};

class ApiClient {
 public:
  // A request (write and answer) that takes longer than `timeout` throws; the default is longer
  // than the longest ?wait= the server allows (60 s).
  ApiClient(uint16_t port, std::string token);
  ApiClient(uint16_t port, std::string token, std::chrono::milliseconds timeout);
  ~ApiClient();

  HttpReply Get(const std::string& target);
  HttpReply Post(const std::string& target, const boost::json::value& body);
  HttpReply Put(const std::string& target, const boost::json::value& body);
  // Anything: a raw body, extra headers, and whether to send the token.
  HttpReply Send(const std::string& method, const std::string& target, const std::string& body,
                 const std::vector<std::pair<std::string, std::string>>& headers = {},
                 bool authorize = true);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string token_;
};

class StreamClient {
 public:
  enum class Auth { kHeader, kFirstMessage };
  struct Options {
    std::string target = "/v1/stream";  // e.g. "/v1/stream?since=42"
    std::string origin;                 // the Origin header; empty: none
    // Extra fields of the auth message (kFirstMessage), e.g. {"since": 42}.
    boost::json::object auth_fields;
    // The socket's receive buffer (SO_RCVBUF); 0: the system's. Small, a client that stops
    // reading backs the server up sooner.
    int receive_buffer_bytes = 0;
  };
  StreamClient(uint16_t port, const std::string& token, Auth auth);
  StreamClient(uint16_t port, const std::string& token, Auth auth, Options options);
  ~StreamClient();

  void Send(const boost::json::value& message);
  // The next message. A {"type":"batch","messages":[...]} frame is unpacked: its messages
  // are returned one by one, as if each had come alone.
  boost::json::value Read(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Reads (bounded) until a message satisfies `match`; the ones before it are skipped.
  boost::json::value ReadUntil(const std::function<bool(const boost::json::value&)>& match,
                               std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Reads (bounded), skipping messages, until the server closes the connection; its close
  // frame as "CODE REASON". Throws if the connection ends without one or stays open.
  std::string ReadUntilClosed(std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace assent::testing
