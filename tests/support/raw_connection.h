// RawConnection: a plain TCP connection to 127.0.0.1 for tests that speak raw bytes to a server
// (request smuggling, missing Host, slow or idle clients, connection limits). Every wait is
// bounded and throws std::runtime_error saying what was awaited.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace assent::testing {

// One HTTP response as read off the wire.
struct RawResponse {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

class RawConnection {
 public:
  // Connects (bounded by the kernel's connect; the server is local).
  explicit RawConnection(uint16_t port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void Send(const std::string& bytes);
  // Reads one response (status line, headers, Content-Length body).
  RawResponse ReadResponse(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Reads until `text` has arrived; returns everything read so far (and consumes it).
  std::string ReadUntil(const std::string& text,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Reads exactly `count` bytes.
  std::string ReadBytes(size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Whether the server closes the connection (EOF or reset) within `timeout`; what it sends
  // before is discarded.
  bool WaitClosed(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Closes our end now.
  void Close();

 private:
  // Appends what arrives within the time left to `buffer_`; false at EOF or reset.
  bool ReadSome(std::chrono::steady_clock::time_point deadline, const std::string& awaited);

  int fd_ = -1;
  std::string buffer_;  // read but not yet consumed
};

}  // namespace assent::testing
