#include "bench/load/small_payee.h"

#include <atomic>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace assent::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct SmallPayee::Impl {
  struct Connection : std::enable_shared_from_this<Connection> {
    explicit Connection(tcp::socket socket) : socket(std::move(socket)) {}
    tcp::socket socket;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    bool closed = false;
  };
  struct Job {
    std::shared_ptr<Connection> connection;
    bool keep_alive;
  };

  explicit Impl(SmallPayeeOptions options) : options(options), acceptor(io) {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    acceptor.open(endpoint.protocol());
    acceptor.bind(endpoint);
    acceptor.listen(options.backlog);
  }

  // Only while fewer than max_open are open: the rest wait in the kernel's backlog.
  void DoAccept() {
    if (accepting || open >= static_cast<size_t>(options.max_open)) return;
    accepting = true;
    acceptor.async_accept([self = this](beast::error_code ec, tcp::socket socket) {
      self->accepting = false;
      if (ec) return;
      auto connection = std::make_shared<Connection>(std::move(socket));
      ++self->open;
      {
        std::lock_guard lock(self->mutex);
        ++self->counts.accepted;
        self->counts.most_open = std::max(self->counts.most_open, self->open);
      }
      self->DoRead(connection);
      self->DoAccept();
    });
  }

  void DoRead(const std::shared_ptr<Connection>& connection) {
    connection->request = {};
    http::async_read(connection->socket, connection->buffer, connection->request,
                     [self = this, connection](beast::error_code ec, size_t) {
                       if (ec) return self->Close(connection);
                       Job job{connection, connection->request.keep_alive()};
                       if (self->paused) {
                         self->held.push_back(std::move(job));
                       } else {
                         self->queue.push_back(std::move(job));
                         self->Work();
                       }
                       self->DoRead(connection);  // notices the client going away
                     });
  }

  void Close(const std::shared_ptr<Connection>& connection) {
    if (connection->closed) return;
    connection->closed = true;
    beast::error_code ignored;
    connection->socket.shutdown(tcp::socket::shutdown_both, ignored);
    connection->socket.close(ignored);
    --open;
    DoAccept();
  }

  // Starts jobs while workers are free; each takes `service`.
  void Work() {
    while (busy < options.workers && !queue.empty()) {
      Job job = std::move(queue.front());
      queue.pop_front();
      ++busy;
      auto timer = std::make_shared<asio::steady_timer>(io, options.service);
      timer->async_wait([self = this, timer, job](beast::error_code) {
        --self->busy;
        self->Answer(job);
        self->Work();
      });
    }
  }

  void Answer(const Job& job) {
    if (job.connection->closed) return;
    auto response = std::make_shared<http::response<http::string_body>>(http::status::ok, 11);
    response->set(http::field::content_type, "application/json");
    response->keep_alive(job.keep_alive);
    response->body() = R"({"paid": true})";
    response->prepare_payload();
    {
      std::lock_guard lock(mutex);
      ++counts.answered;
    }
    http::async_write(job.connection->socket, *response,
                      [self = this, response, job](beast::error_code ec, size_t) {
                        if (ec || !job.keep_alive) self->Close(job.connection);
                      });
  }

  const SmallPayeeOptions options;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::thread thread;
  // The io thread only:
  bool accepting = false;
  size_t open = 0;
  int busy = 0;
  bool paused = false;
  std::deque<Job> queue;
  std::deque<Job> held;

  mutable std::mutex mutex;
  Counts counts;  // mutex
};

SmallPayee::SmallPayee(SmallPayeeOptions options) : impl_(std::make_unique<Impl>(options)) {
  asio::post(impl_->io, [impl = impl_.get()] { impl->DoAccept(); });
  impl_->thread = std::thread([impl = impl_.get()] {
    auto work = asio::make_work_guard(impl->io);
    impl->io.run();
  });
}

// Handlers hold the Impl by pointer: once the thread is joined, destroying the io_context
// destroys them, and their connections, before the rest of the Impl.
SmallPayee::~SmallPayee() {
  impl_->io.stop();
  impl_->thread.join();
}

uint16_t SmallPayee::port() const { return impl_->acceptor.local_endpoint().port(); }

void SmallPayee::Pause() {
  asio::post(impl_->io, [impl = impl_.get()] { impl->paused = true; });
}

void SmallPayee::Resume() {
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->paused = false;
    for (Impl::Job& job : impl->held) impl->queue.push_back(std::move(job));
    impl->held.clear();
    impl->Work();
  });
}

SmallPayee::Counts SmallPayee::counts() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->counts;
}

void SmallPayee::ResetCounts() {
  std::promise<void> done;
  asio::post(impl_->io, [impl = impl_.get(), &done] {
    {
      std::lock_guard lock(impl->mutex);
      impl->counts = Counts{0, impl->open, 0};
    }
    done.set_value();
  });
  done.get_future().wait();
}

}  // namespace assent::bench
