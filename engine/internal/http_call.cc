#include "engine/internal/http_call.h"

#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "engine/internal/http_wire_request.h"
#include "engine/internal/link_local.h"

namespace assent::engine {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

class HttpCall : public std::enable_shared_from_this<HttpCall> {
 public:
  HttpCall(const boost::asio::any_io_executor& executor, HttpCallRequest request,
           std::function<void(Result<HttpCallResponse>)> done)
      : resolver_(executor),
        stream_(executor),
        request_(std::move(request)),
        done_(std::move(done)) {
    parser_.body_limit(request_.max_response_bytes);
  }

  void Start() {
    Result<WireRequest> wire = BuildWireRequest(request_);
    if (!wire.ok()) {
      // Later, not inside StartHttpCall: its caller is still in the middle of its own work.
      return boost::asio::post(resolver_.get_executor(),
                               [self = shared_from_this(), status = wire.status()] {
                                 self->Finish(status);
                               });
    }
    host_ = wire->host.host;
    port_ = std::to_string(wire->host.port);
    message_ = std::move(wire->message);

    stream_.expires_after(request_.timeout);
    // An address in the URL is only parsed, never looked up.
    auto flags = tcp::resolver::numeric_service;
    if (wire->host.kind != OutboundHost::Kind::kName) flags |= tcp::resolver::numeric_host;
    resolver_.async_resolve(host_, port_, flags,
                            beast::bind_front_handler(&HttpCall::OnResolve, shared_from_this()));
  }

 private:
  void OnResolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return Fail(ec, "resolve");
    if (!request_.allow_link_local) {
      for (const auto& entry : results) {
        const boost::asio::ip::address address = entry.endpoint().address();
        if (std::optional<std::string> range = LinkLocalOrMetadataRange(address)) {
          std::string where = address.to_string();
          if (where != host_) where = host_ + " (resolved to " + where + ")";
          return Finish(Status::InvalidArgument(
              "url: " + where + " is in " + *range +
              "; refused before connecting (the server option --allow-link-local allows it)"));
        }
      }
    }
    // The addresses just checked, not a new lookup.
    stream_.async_connect(results,
                          beast::bind_front_handler(&HttpCall::OnConnect, shared_from_this()));
  }

  void OnConnect(beast::error_code ec, const tcp::endpoint&) {
    if (ec) return Fail(ec, "connect");
    http::async_write(stream_, message_,
                      beast::bind_front_handler(&HttpCall::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, size_t) {
    if (ec) return Fail(ec, "write");
    http::async_read(stream_, buffer_, parser_,
                     beast::bind_front_handler(&HttpCall::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec == http::error::body_limit) {
      return Finish(Status::TooLarge(
          "the response body from " + host_ + ":" + port_ + " is over the limit of " +
          std::to_string(request_.max_response_bytes) +
          " bytes (max_step_output_bytes, --max-step-output-bytes)"));
    }
    if (ec) return Fail(ec, "read");
    beast::error_code ignored;  // closing after a complete response cannot lose anything
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    auto& response = parser_.get();
    Finish(HttpCallResponse{response.result_int(), std::move(response.body())});
  }

  void Fail(beast::error_code ec, std::string_view what) {
    std::string reason = ec == beast::error::timeout ? "timed out" : ec.message();
    Finish(Status::Unavailable(std::string(what) + " " + host_ + ":" + port_ + ": " + reason));
  }

  void Finish(Result<HttpCallResponse> result) {
    if (done_) std::exchange(done_, nullptr)(std::move(result));
  }

  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  HttpCallRequest request_;
  std::function<void(Result<HttpCallResponse>)> done_;
  std::string host_;
  std::string port_;
  http::request<http::string_body> message_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
};

}  // namespace

void StartHttpCall(const boost::asio::any_io_executor& executor, HttpCallRequest request,
                   std::function<void(Result<HttpCallResponse>)> done) {
  std::make_shared<HttpCall>(executor, std::move(request), std::move(done))->Start();
}

}  // namespace assent::engine
