#include "api/refused_connection.h"

#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "api/lingering_close.h"
#include "api/response.h"

namespace assent::api {

namespace beast = boost::beast;

namespace {

constexpr auto kWriteTimeout = std::chrono::seconds(1);
constexpr auto kRetryAfter = std::chrono::seconds(1);

struct Refusal {
  ConnectionLimit::Slot slot;  // first: released only once the socket has closed
  beast::tcp_stream stream;
  Response response;
};

}  // namespace

void RefuseConnection(boost::asio::ip::tcp::socket socket, ConnectionLimit::Slot slot,
                      size_t max_connections) {
  ApiError error = ApiError::Unavailable("the server is at its limit of " +
                                         std::to_string(max_connections) +
                                         " open connections; retry shortly");
  auto refusal = std::make_shared<Refusal>(
      Refusal{std::move(slot), beast::tcp_stream(std::move(socket)),
              ErrorResponse(error, 11, /*keep_alive=*/false, kRetryAfter)});
  refusal->stream.expires_after(kWriteTimeout);
  beast::http::async_write(refusal->stream, refusal->response,
                           [refusal](beast::error_code ec, size_t) {
                             if (ec) return;  // timed out or reset: the socket is closed
                             LingeringClose(std::move(refusal->stream), std::move(refusal->slot));
                           });
}

}  // namespace assent::api
