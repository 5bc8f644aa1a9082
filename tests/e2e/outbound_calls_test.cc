// Http steps through the real server, against a real recording target: run input cannot
// inject headers or requests, cannot aim a call at another host, and link-local or metadata
// addresses are refused. Refusals are 400s when a definition is applied and clear step
// failures when a run renders something that may not be sent; either way nothing is sent.
#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

constexpr const char* kSmuggle =
    "a\r\nX-Injected: yes\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\nX-Injected: yes\r\n\r\n";

class OutboundCallsTest : public E2eTest {
 protected:
  HttpReply PutStep(const std::string& name, const json::object& step_fields) {
    json::object step = step_fields;
    step["id"] = "call";
    step["type"] = "http";
    return api().Put("/v1/workflows/" + name, json::object{{"steps", json::array{step}}});
  }

  // Starts `workflow` with {"h": value} and waits (bounded) for it to finish; the run's JSON.
  json::value RunToEnd(const std::string& workflow, const std::string& value) {
    HttpReply reply = api().Post("/v1/workflows/" + workflow + "/runs?wait=30s",
                                 json::object{{"input", {{"h", value}}}});
    EXPECT_EQ(reply.status, 201u) << reply.raw;
    return reply.body;
  }

  void ExpectRefused(const HttpReply& reply, const std::string& message) {
    EXPECT_EQ(reply.status, 400u) << reply.raw;
    ASSERT_TRUE(reply.body.is_object()) << reply.raw;
    EXPECT_EQ(reply.body.at("error").at("code"), "invalid_argument") << reply.raw;
    EXPECT_THAT(std::string(reply.body.at("error").at("message").as_string()), HasSubstr(message));
  }

  std::string Error(const json::value& run) {
    EXPECT_EQ(run.at("status"), "failed") << json::serialize(run);
    return run.at("status") == "failed" ? std::string(run.at("error").as_string()) : "";
  }

  HttpTarget target_{[](const ReceivedRequest&, size_t) { return TargetResponse{200, "{}"}; }};
};

TEST_F(OutboundCallsTest, LiteralInjectionsAreRefusedWhenTheDefinitionIsApplied) {
  ExpectRefused(PutStep("w", {{"url", target_.url("/p")}, {"headers", {{"X-V", kSmuggle}}}}),
                "step 'call': header 'X-V': value contains CR (0x0D) at offset 1");
  ExpectRefused(PutStep("w", {{"url", target_.url("/p")}, {"headers", {{"X-A\r\nX-Injected", "y"}}}}),
                "step 'call': header 'X-A\r\nX-Injected': name contains CR (0x0D) at offset 3");
  ExpectRefused(PutStep("w", {{"url", target_.url("/p")}, {"method", "GET /smuggled HTTP/1.1\r\n"}}),
                "step 'call': 'method' must be one of");
  ExpectRefused(PutStep("w", {{"url", target_.url("/p\r\nX-Injected: yes")}}),
                "step 'call': 'url' is not an absolute URL");
  ExpectRefused(PutStep("w", {{"url", target_.url("/p/{{input.h}}") + "?q=a b"}}),
                "step 'call': url: contains a space (0x20)");
  ExpectRefused(PutStep("w", {{"url", target_.url("/p")}, {"headers", {{"Host", "evil.example"}}}}),
                "step 'call': header 'Host': frames the request");
  EXPECT_TRUE(target_.requests().empty());
}

TEST_F(OutboundCallsTest, RenderedInjectionsFailTheStepOrArriveEncodedInOneRequest) {
  ASSERT_EQ(PutStep("header", {{"url", target_.url("/p")}, {"headers", {{"X-V", "{{input.h}}"}}}}).status, 200u);
  std::string error = Error(RunToEnd("header", kSmuggle));
  EXPECT_THAT(error, HasSubstr("step 'call' failed"));
  EXPECT_THAT(error, HasSubstr("header 'X-V': value contains CR (0x0D) at offset 1"));
  EXPECT_TRUE(target_.requests().empty()) << "a refused call must send nothing";

  ASSERT_EQ(PutStep("path", {{"url", target_.url("/p/{{input.h}}?q={{input.h}}")}}).status, 200u);
  json::value run = RunToEnd("path", kSmuggle);
  EXPECT_EQ(run.at("status"), "completed") << json::serialize(run);
  auto requests = target_.requests();
  ASSERT_EQ(requests.size(), 1u) << "exactly one request, however many the value spells";
  EXPECT_FALSE(requests[0].headers.contains("x-injected"));
  EXPECT_THAT(requests[0].target, HasSubstr("/p/a%0D%0AX-Injected%3A%20yes%0D%0A%0D%0AGET%20%2Fsmuggled"));
  EXPECT_THAT(requests[0].target, HasSubstr("?q=a%0D%0AX-Injected"));

  std::string host = "127.0.0.1:" + std::to_string(target_.port());
  ASSERT_EQ(PutStep("host", {{"url", "http://{{input.h}}/p"}, {"allow_hosts", {host}}}).status, 200u);
  EXPECT_THAT(Error(RunToEnd("host", host + "\r\nX-Injected: yes\r\n\r\nGET /smuggled")),
              HasSubstr("step 'call' failed after 1 failed attempt(s): url: contains CR (0x0D)"));
  EXPECT_EQ(target_.requests().size(), 1u);
}

// Beast throws for a field of 64 KiB or more: the server died, and died again on every restart
// while recovery called the step again (exit 134, 'field value too large').
TEST_F(OutboundCallsTest, AHeaderValueTooLongToSendFailsTheStepAndTheServerStaysUp) {
  ASSERT_EQ(PutStep("long", {{"url", target_.url("/p")}, {"headers", {{"X-V", "{{input.h}}"}}}}).status, 200u);
  EXPECT_THAT(Error(RunToEnd("long", std::string(70'000, 'a'))),
              HasSubstr("header 'X-V': value is 70000 bytes; at most 8192"));
  EXPECT_EQ(api().Get("/healthz").status, 200u);
  EXPECT_TRUE(target_.requests().empty());
}

TEST_F(OutboundCallsTest, AHostFromRunInputNeedsAnAllowListAndStaysInIt) {
  std::string host = "127.0.0.1:" + std::to_string(target_.port());
  ExpectRefused(PutStep("aim", {{"url", "http://{{input.h}}/p"}}),
                "url: the scheme, host and port must be literal");
  ASSERT_EQ(PutStep("aim", {{"url", "http://{{input.h}}/p"}, {"allow_hosts", {host}}}).status, 200u);
  EXPECT_EQ(RunToEnd("aim", host).at("status"), "completed");
  EXPECT_THAT(Error(RunToEnd("aim", "169.254.169.254")), HasSubstr("is not in allow_hosts"));
  EXPECT_THAT(Error(RunToEnd("aim", "2852039166")), HasSubstr("reads as a number"));
  EXPECT_EQ(target_.requests().size(), 1u);
}

TEST_F(OutboundCallsTest, LinkLocalAddressesAreRefusedBeforeConnecting) {
  for (const char* url : {"http://169.254.169.254/latest/meta-data/",
                          "http://[::ffff:169.254.169.254]/", "http://[fd00:ec2::254]/"}) {
    ASSERT_EQ(PutStep("metadata", {{"url", url}}).status, 200u) << url;
    EXPECT_THAT(Error(RunToEnd("metadata", "")), HasSubstr("refused before connecting")) << url;
  }
  ExpectRefused(PutStep("metadata", {{"url", "http://0xA9FEA9FE/latest"}}), "reads as a number");
}

TEST_F(OutboundCallsTest, TheOperatorCanAllowLinkLocalAddresses) {
  // Only that the switch exists and the server starts with it: a call that used it would
  // send packets to a link-local address, which tests never do.
  server_->Terminate();
  client_.reset();
  server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
      "serve", "--data", data_.str(), "--listen", "127.0.0.1:0", "--admin-token", kToken,
      "--allow-link-local"});
  EXPECT_EQ(api().Get("/healthz").status, 200u);
  EXPECT_THAT(RunAssent({"serve", "--help"}).output, HasSubstr("--allow-link-local"));
}

}  // namespace
}  // namespace assent::testing
