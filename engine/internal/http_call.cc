#include "engine/internal/http_call.h"

#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

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
    auto url = boost::urls::parse_absolute_uri(request_.url);
    if (!url || url->scheme() != "http" || url->host().empty()) {
      return Finish(Status::InvalidArgument("not an http:// URL: " + request_.url));
    }
    host_ = url->host();
    port_ = url->has_port() ? std::string(url->port()) : "80";
    std::string target = url->encoded_target().empty() ? "/" : std::string(url->encoded_target());

    http::verb verb = http::string_to_verb(request_.method);
    if (verb == http::verb::unknown) {
      return Finish(Status::InvalidArgument("unknown HTTP method " + request_.method));
    }
    message_ = {verb, target, 11};
    message_.set(http::field::host, host_ + ":" + port_);
    message_.set(http::field::user_agent, "assent");
    message_.set(http::field::accept, "application/json");
    for (const auto& [name, value] : request_.headers) message_.set(name, value);
    if (!request_.body.empty()) {
      message_.set(http::field::content_type, "application/json");
      message_.body() = request_.body;
    }
    message_.prepare_payload();

    stream_.expires_after(request_.timeout);
    resolver_.async_resolve(host_, port_, beast::bind_front_handler(&HttpCall::OnResolve,
                                                                    shared_from_this()));
  }

 private:
  void OnResolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return Fail(ec, "resolve");
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
