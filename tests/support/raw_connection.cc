#include "tests/support/raw_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace assent::testing {

RawConnection::RawConnection(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    std::string error = std::strerror(errno);
    Close();
    throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + ": " + error);
  }
}

RawConnection::~RawConnection() { Close(); }

void RawConnection::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void RawConnection::Send(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("send: ") + std::strerror(errno));
    sent += static_cast<size_t>(n);
  }
}

bool RawConnection::ReadSome(std::chrono::steady_clock::time_point deadline,
                             const std::string& awaited) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  pollfd poll_fd{fd_, POLLIN, 0};
  if (left.count() <= 0 || ::poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) {
    throw std::runtime_error("timed out waiting for " + awaited + "; received so far: " + buffer_);
  }
  char chunk[4096];
  ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) return false;  // EOF, or reset
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

std::string RawConnection::ReadUntil(const std::string& text, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (buffer_.find(text) == std::string::npos) {
    if (!ReadSome(deadline, "\"" + text + "\"")) {
      throw std::runtime_error("connection closed before \"" + text + "\"; received: " + buffer_);
    }
  }
  size_t end = buffer_.find(text) + text.size();
  std::string read = buffer_.substr(0, end);
  buffer_.erase(0, end);
  return read;
}

std::string RawConnection::ReadBytes(size_t count, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (buffer_.size() < count) {
    if (!ReadSome(deadline, std::to_string(count) + " bytes")) {
      throw std::runtime_error("connection closed before " + std::to_string(count) +
                               " bytes; received: " + buffer_);
    }
  }
  std::string read = buffer_.substr(0, count);
  buffer_.erase(0, count);
  return read;
}

RawResponse RawConnection::ReadResponse(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string head = ReadUntil("\r\n\r\n", timeout);
  RawResponse response;
  size_t space = head.find(' ');
  if (head.compare(0, 5, "HTTP/") != 0 || space == std::string::npos) {
    throw std::runtime_error("not an HTTP response: " + head);
  }
  response.status = static_cast<unsigned>(std::stoi(head.substr(space + 1, 3)));
  for (size_t line = head.find("\r\n") + 2; line < head.size() - 2;) {
    size_t end = head.find("\r\n", line);
    std::string field = head.substr(line, end - line);
    size_t colon = field.find(':');
    std::string name = field.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    size_t value = field.find_first_not_of(' ', colon + 1);
    response.headers[name] = value == std::string::npos ? "" : field.substr(value);
    line = end + 2;
  }
  size_t length = 0;
  if (auto it = response.headers.find("content-length"); it != response.headers.end()) {
    length = std::stoul(it->second);
  }
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  response.body = ReadBytes(length, std::max(left, std::chrono::milliseconds(1)));
  return response;
}

bool RawConnection::WaitClosed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  try {
    while (ReadSome(deadline, "the server to close the connection")) buffer_.clear();
  } catch (const std::runtime_error&) {
    return false;  // still open at the deadline
  }
  return true;
}

}  // namespace assent::testing
