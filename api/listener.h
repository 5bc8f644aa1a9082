// Listener: accepts TCP connections and starts an HttpSession for each, on its own strand, while
// the server's connection limit allows; over it, a connection is answered 503 and closed.
// When accepting fails (out of descriptors, say) it backs off briefly rather than spin.
// Created and stopped by Server. Lives by shared_from_this; accepts run on the listener's strand
// and Stop may be called from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/error.hpp>

#include "api/server_context.h"
#include "base/status.h"

namespace assent::api {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(boost::asio::io_context& ioc, std::shared_ptr<ServerContext> context);

  // Opens, binds and listens. Port 0 lets the OS pick; local_endpoint() tells which.
  Status Listen(const boost::asio::ip::tcp::endpoint& endpoint);
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  // Starts accepting. REQUIRES: Listen succeeded.
  void Run();
  // Stops accepting; connections already accepted carry on.
  void Stop();

 private:
  void DoAccept();
  void OnAccept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);
  // Logs `ec` unless it was logged less than a second ago, then retries after a pause.
  void BackOff(boost::beast::error_code ec);
  // Answers a connection over the limit with 503 (or closes it, when refusals are at theirs).
  void Refuse(boost::asio::ip::tcp::socket socket);
  // Whether a rate-limited line is due; if so, records now in `last_logged`.
  static bool LogDue(std::optional<std::chrono::steady_clock::time_point>& last_logged);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  std::shared_ptr<ServerContext> context_;
  std::optional<std::chrono::steady_clock::time_point> last_accept_error_logged_;
  std::optional<std::chrono::steady_clock::time_point> last_refusal_logged_;
};

}  // namespace assent::api
