#include "api/lingering_close.h"

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <memory>

namespace assent::api {

namespace beast = boost::beast;

namespace {

class Linger : public std::enable_shared_from_this<Linger> {
 public:
  Linger(beast::tcp_stream stream, ConnectionLimit::Slot slot)
      : slot_(std::move(slot)), stream_(std::move(stream)) {}

  void Run() {
    beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTimeout);
    DoDrain();
  }

 private:
  void DoDrain() {
    stream_.async_read_some(boost::asio::buffer(discard_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              // The client closed too, or the linger time is up: done.
                              if (!ec) self->DoDrain();
                            });
  }

  ConnectionLimit::Slot slot_;  // declared first: released only once the socket has closed
  beast::tcp_stream stream_;
  std::array<char, 4096> discard_;
};

}  // namespace

void LingeringClose(beast::tcp_stream stream, ConnectionLimit::Slot slot) {
  std::make_shared<Linger>(std::move(stream), std::move(slot))->Run();
}

}  // namespace assent::api
