// Outbound calls over https against a real TLS server on 127.0.0.1 whose certificate a
// throwaway CA, made when the test runs (tests/support/test_pki.h), signed for "localhost":
// trusted through ca_file the call goes through; without it (the system's store does not know
// the CA), or by a name the certificate does not carry, nothing is sent.
#include <future>

#include <boost/asio/io_context.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/io_threads.h"
#include "engine/internal/http_call.h"
#include "tests/support/http_target.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace assent::engine {
namespace {

using ::testing::HasSubstr;

class HttpsCallTest : public ::testing::Test {
 protected:
  Result<HttpCallResponse> Call(const std::string& url, const std::string& ca_file) {
    HttpCallRequest request;
    request.method = "POST";
    request.url = url;
    request.body = R"({"hello": "tls"})";
    request.ca_file = ca_file;
    request.timeout = std::chrono::seconds(10);
    std::promise<Result<HttpCallResponse>> answer;
    StartHttpCall(pool_, threads_.io().get_executor(), request,
                  [&answer](Result<HttpCallResponse> result) { answer.set_value(result); });
    auto future = answer.get_future();
    if (future.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      ADD_FAILURE() << "the call did not finish within 20 s";
      return Status::Unavailable("timed out");
    }
    return future.get();
  }

  testing::TempDir dir_;
  testing::TestPki pki_ = testing::MakeTestPki(dir_.str(), "localhost");
  testing::HttpTarget target_{[](const testing::ReceivedRequest&, size_t) {
                                return testing::TargetResponse{200, R"({"secure": true})"};
                              },
                              testing::TlsIdentity{pki_.cert_file, pki_.key_file}};
  IoThreads threads_{1};
  std::shared_ptr<HttpPool> pool_ = std::make_shared<HttpPool>(threads_.io(), HttpPoolOptions{});
};

TEST_F(HttpsCallTest, SucceedsWithThePrivateCa) {
  Result<HttpCallResponse> response = Call(target_.url("/hook", "localhost"), pki_.ca_file);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->body, R"({"secure": true})");
  ASSERT_EQ(target_.requests().size(), 1u);
  EXPECT_EQ(target_.requests()[0].body, R"({"hello": "tls"})");
  EXPECT_EQ(target_.requests()[0].headers.at("host"), "localhost:" + std::to_string(target_.port()));
}

TEST_F(HttpsCallTest, FailsForAnUnknownCa) {
  Result<HttpCallResponse> response = Call(target_.url("/hook", "localhost"), "");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(response.status().message(), HasSubstr("TLS handshake"));
  EXPECT_THAT(response.status().message(), HasSubstr("certificate"));
  EXPECT_TRUE(target_.requests().empty());
}

TEST_F(HttpsCallTest, FailsForAHostTheCertificateDoesNotName) {
  // The same server by address: the certificate names only "localhost".
  Result<HttpCallResponse> response = Call(target_.url("/hook", "127.0.0.1"), pki_.ca_file);
  ASSERT_FALSE(response.ok());
  EXPECT_THAT(response.status().message(), HasSubstr("TLS handshake"));
  EXPECT_THAT(response.status().message(), HasSubstr("mismatch"));
  EXPECT_TRUE(target_.requests().empty());
}

TEST_F(HttpsCallTest, AnUnreadableCaFileFailsBeforeConnecting) {
  Result<HttpCallResponse> response =
      Call(target_.url("/hook", "localhost"), dir_.str() + "/missing.pem");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(response.status().message(), HasSubstr("missing.pem"));
  EXPECT_TRUE(target_.requests().empty());
}

TEST_F(HttpsCallTest, LinkLocalIsRefusedForHttpsToo) {
  Result<HttpCallResponse> response = Call("https://169.254.169.254/latest", pki_.ca_file);
  ASSERT_FALSE(response.ok());
  EXPECT_THAT(response.status().message(), HasSubstr("link-local"));
}

}  // namespace
}  // namespace assent::engine
