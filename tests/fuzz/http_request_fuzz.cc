// The REST API (api/router.h RequestHandler::Handle) on requests that Beast's parser makes of
// arbitrary bytes, with the limits HttpSession sets, over the fake engine of the api tests and a
// real directory of users and tokens on an in-memory log.
// The header checks HttpSession makes first (api/request_framing.h) run before it, and targets
// outside the API go to the dashboard's files (api/dashboard_files.h), as HttpSession sends them.
// Properties: the handler answers exactly once, and every answer is a JSON body served as
// application/json, with an {"error": {"code", "message"}} body on every 4xx and 5xx; the
// dashboard answers with one of its compiled-in files (whole, or nothing for HEAD and 304),
// always with its Content-Security-Policy, or with such an error.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/json/parse.hpp>

#include "api/auth.h"
#include "api/dashboard_files.h"
#include "api/request_framing.h"
#include "api/response.h"
#include "api/router.h"
#include "tests/api/fake_engine.h"
#include "tests/api/test_directory.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

// HttpSession's header limit: larger headers never reach the handler.
constexpr uint32_t kHeaderLimit = 16 * 1024;

// Seeds authenticate with "Authorization: Bearer fuzz-token".
constexpr char kToken[] = "fuzz-token";

// An answer of the dashboard: an error as the API's, or a file as it was compiled in.
void CheckDashboardAnswer(const assent::api::Response& response) {
  FUZZ_CHECK(!response["Content-Security-Policy"].empty());
  if (response.result_int() >= 400) {
    boost::system::error_code parse_error;
    json::value body = json::parse(response.body(), parse_error);
    FUZZ_CHECK(!parse_error && body.is_object() && body.get_object().contains("error"));
    return;
  }
  if (response.body().empty()) return;  // HEAD, 304
  bool is_a_file = false;
  for (const assent::api::EmbeddedFile& file : assent::api::EmbeddedDashboardFiles()) {
    is_a_file = is_a_file || file.body == response.body();
  }
  FUZZ_CHECK(is_a_file);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.body_limit(assent::api::kMaxBodyBytes);
  parser.header_limit(kHeaderLimit);
  // As http::async_read feeds it: put until done, then the end of the stream.
  boost::asio::const_buffer rest(data, size);
  boost::beast::error_code ec;
  while (!parser.is_done() && rest.size() > 0) {
    size_t used = parser.put(rest, ec);
    if (ec == http::error::need_more) break;
    if (ec) return 0;
    if (used == 0) break;
    rest += used;
  }
  // Like http::async_read, tell the parser the stream ended only once it has seen something.
  if (!parser.is_done() && !parser.got_some()) return 0;
  ec = {};
  if (!parser.is_done()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;

  if (!assent::api::CheckRequestHeader(parser.get()) &&
      assent::api::IsDashboardTarget(parser.get().target())) {
    CheckDashboardAnswer(assent::api::DashboardFiles().Serve(parser.get()));
    return 0;
  }
  // Every answer, from the session's header checks or from the handler, is JSON the client
  // can parse (Boost.JSON refuses invalid UTF-8) with an {"error": {code, message}} on failure.
  // The directory answers its changes on its log's commit thread: counted under a lock.
  std::mutex mutex;
  std::condition_variable answered;
  int answers = 0;
  auto check = [&](const assent::api::Response& response) {
    std::lock_guard<std::mutex> lock(mutex);
    ++answers;
    answered.notify_all();
    FUZZ_CHECK(response[http::field::content_type] == "application/json");
    boost::system::error_code parse_error;
    json::value body = json::parse(response.body(), parse_error);
    FUZZ_CHECK(!parse_error);
    if (response.result_int() >= 400) {
      const json::object* object = body.if_object();
      const json::value* error = object ? object->if_contains("error") : nullptr;
      FUZZ_CHECK(error != nullptr && error->is_object() &&
                 error->get_object().contains("code") && error->get_object().contains("message"));
    }
  };
  if (std::optional<assent::api::ApiError> refused =
          assent::api::CheckRequestHeader(parser.get())) {
    check(assent::api::ErrorResponse(*refused, 11, false));
    FUZZ_CHECK(answers == 1);
    return 0;
  }
  assent::api::testing::FakeEngine engine;
  // One for the process: a directory (and its log's commit thread) per input would be slow.
  static assent::api::testing::TestDirectory directory;
  assent::api::Authenticator auth(kToken, *directory);
  assent::api::RequestHandler handler(engine, *directory, auth);
  handler.Handle(parser.get(), boost::asio::ip::address_v4::loopback(), check);
  // The fake engine answers before returning; the directory once its change is durable.
  std::unique_lock<std::mutex> lock(mutex);
  answered.wait_for(lock, std::chrono::seconds(10), [&] { return answers > 0; });
  FUZZ_CHECK(answers == 1);
  return 0;
}
