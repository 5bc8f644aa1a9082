// Http steps against a real recording target (tests/support/http_target.h): run data can
// change nothing in a call but the encoded values of its path, query and fragment; a call
// goes only where its definition says; and nothing refused is sent. Link-local targets are
// literal addresses, refused before connecting: no packet leaves the machine.
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/engine/engine_fixture.h"
#include "tests/support/http_target.h"

namespace assent::engine {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using engine_testing::AsAdmin;
using engine_testing::kAdmin;
using engine_testing::EngineTest;
using engine_testing::Eventually;

// What an attacker puts in run input: a header, then a whole second request.
constexpr const char* kSmuggle =
    "a\r\nX-Injected: yes\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\nX-Injected: yes\r\n\r\n";

class OutboundCallTest : public EngineTest {
 protected:
  // Applies a one-step workflow `name` whose http step is `step_fields` (without id and type).
  Status Apply(const std::string& name, const std::string& step_fields) {
    auto applied = engine_->ApplyWorkflow(kAdmin, 
        name, json::parse(R"({"steps": [{"id": "call", "type": "http", )" + step_fields + "}]}"));
    return applied.status();
  }

  // Starts `workflow` with input {"h": value} and waits (bounded) for it to finish.
  RunView RunToEnd(const std::string& workflow, const std::string& value) {
    json::object input{{"h", value}};
    std::string run_id = Start(workflow, json::serialize(input));
    EXPECT_TRUE(Eventually([&] { return Run(run_id).status != RunStatus::kRunning; }))
        << "run " << run_id << " did not finish";
    return Run(run_id);
  }

  std::string TargetUrl(const std::string& path) const { return target_.url(path); }
  std::string TargetHost() const { return "127.0.0.1:" + std::to_string(target_.port()); }

  testing::HttpTarget target_{[](const testing::ReceivedRequest&, size_t) {
    return testing::TargetResponse{200, R"({"ok": true})"};
  }};
};

bool AnyInjected(const std::vector<testing::ReceivedRequest>& requests) {
  for (const auto& request : requests) {
    if (request.headers.contains("x-injected") || request.target.find("smuggled") == 0) return true;
  }
  return false;
}

TEST_F(OutboundCallTest, AHeaderValueFromRunDataCannotAddAHeaderOrARequest) {
  ASSERT_TRUE(Apply("w", R"("url": ")" + TargetUrl("/p") + R"(", "headers": {"X-V": "{{input.h}}"})").ok());
  RunView run = RunToEnd("w", kSmuggle);
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_THAT(run.error, HasSubstr("step 'call' failed"));
  EXPECT_THAT(run.error, HasSubstr("header 'X-V': value contains CR (0x0D) at offset 1"));
  EXPECT_TRUE(target_.requests().empty()) << "nothing refused may be sent";

  // The same value without control characters is sent as it is, as one header.
  RunView clean = RunToEnd("w", "a X-Injected: yes");
  EXPECT_EQ(clean.status, RunStatus::kCompleted) << clean.error;
  auto requests = target_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].headers.at("x-v"), "a X-Injected: yes");
  EXPECT_FALSE(AnyInjected(requests));
}

// Beast cannot hold a field of 64 KiB and throws: on a shard's thread that ended the server.
TEST_F(OutboundCallTest, AHeaderValueTooLongToSendFailsTheStep) {
  ASSERT_TRUE(Apply("w", R"("url": ")" + TargetUrl("/p") + R"(", "headers": {"X-V": "{{input.h}}"})").ok());
  RunView run = RunToEnd("w", std::string(70'000, 'a'));
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_THAT(run.error, HasSubstr("header 'X-V': value is 70000 bytes; at most 8192"));
  EXPECT_TRUE(target_.requests().empty());
}

TEST_F(OutboundCallTest, PathAndQueryValuesArriveEncodedInOneRequest) {
  ASSERT_TRUE(Apply("w", R"("url": ")" + TargetUrl("/p/{{input.h}}?q={{input.h}}#{{input.h}}") + "\"").ok());
  RunView run = RunToEnd("w", kSmuggle);
  EXPECT_EQ(run.status, RunStatus::kCompleted) << run.error;
  auto requests = target_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const std::string encoded =
      "a%0D%0AX-Injected%3A%20yes%0D%0A%0D%0AGET%20%2Fsmuggled%20HTTP%2F1.1%0D%0AHost%3A%20x%0D%0A"
      "X-Injected%3A%20yes%0D%0A%0D%0A";
  EXPECT_EQ(requests[0].target, "/p/" + encoded + "?q=" + encoded);
  EXPECT_FALSE(AnyInjected(requests));
}

TEST_F(OutboundCallTest, AHostFromRunDataCannotCarryAnInjection) {
  ASSERT_TRUE(Apply("w", R"("url": "http://{{input.h}}/p", "allow_hosts": [")" + TargetHost() + "\"]").ok());
  RunView run = RunToEnd("w", TargetHost() + "/\r\nX-Injected: yes\r\n\r\nGET /smuggled");
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_THAT(run.error, HasSubstr("step 'call' failed"));
  EXPECT_THAT(run.error, HasSubstr("url: contains CR (0x0D)"));
  EXPECT_TRUE(target_.requests().empty());
}

TEST_F(OutboundCallTest, MethodsAndHeaderNamesAreLiteralAndRefusedWhenApplied) {
  Status method = Apply("m", R"("method": "GET /smuggled HTTP/1.1\r\nX-Injected: yes", "url": ")" +
                                 TargetUrl("/p") + "\"");
  EXPECT_THAT(method.message(), HasSubstr("step 'call': 'method' must be one of"));
  Status name = Apply("n", R"("url": ")" + TargetUrl("/p") +
                               R"(", "headers": {"X-A: b\r\nX-Injected": "yes"})");
  EXPECT_THAT(name.message(), HasSubstr("step 'call': header 'X-A: b\r\nX-Injected': name contains"));
  Status placeholder = Apply("n", R"("url": ")" + TargetUrl("/p") +
                                      R"(", "headers": {"{{input.h}}": "yes"})");
  EXPECT_THAT(placeholder.message(), HasSubstr("name contains byte 0x7B at offset 0"));
  Status value = Apply("v", R"("url": ")" + TargetUrl("/p") +
                                R"(", "headers": {"X-V": "a\r\nX-Injected: yes"})");
  EXPECT_THAT(value.message(), HasSubstr("step 'call': header 'X-V': value contains CR"));
  Status url = Apply("u", R"("url": ")" + TargetUrl("/p\\r\\nX-Injected: yes") + "\"");
  EXPECT_THAT(url.message(), HasSubstr("not an absolute URL"));
  EXPECT_TRUE(target_.requests().empty());
}

TEST_F(OutboundCallTest, AHostFromRunDataNeedsAnAllowList) {
  Status refused = Apply("w", R"("url": "http://{{input.h}}/p")");
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(), HasSubstr("step 'call': url: the scheme, host and port must be literal"));
  EXPECT_THAT(refused.message(), HasSubstr("allow_hosts"));

  ASSERT_TRUE(Apply("w", R"("url": "http://{{input.h}}/p", "allow_hosts": [")" + TargetHost() + "\"]").ok());
  EXPECT_EQ(RunToEnd("w", TargetHost()).status, RunStatus::kCompleted);
  ASSERT_EQ(target_.requests().size(), 1u);
  for (const std::string& elsewhere : std::vector<std::string>{
           "127.0.0.1:" + std::to_string(target_.port() ^ 1), "localhost:" + std::to_string(target_.port()),
        "169.254.169.254", "2852039166", "0xA9FEA9FE", "x@" + TargetHost()}) {
    RunView run = RunToEnd("w", elsewhere);
    EXPECT_EQ(run.status, RunStatus::kFailed) << elsewhere;
    EXPECT_THAT(run.error, HasSubstr("step 'call' failed")) << elsewhere;
  }
  EXPECT_EQ(target_.requests().size(), 1u);
}

TEST_F(OutboundCallTest, ADefinitionStoredBeforeTheOriginRuleLoadsButCannotAimElsewhere) {
  const std::string legacy = R"({"steps": [{"id": "call", "type": "http", "url": "http://{{input.h}}/p"}]})";
  ASSERT_TRUE(log_.PutDefinition("legacy", 1, legacy).ok());
  Reopen();
  RunView run = RunToEnd("legacy", TargetHost());
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_THAT(run.error, HasSubstr("url: the scheme, host and port must be literal"));
  EXPECT_TRUE(target_.requests().empty());
}

TEST_F(OutboundCallTest, LinkLocalAndMetadataAddressesAreRefusedBeforeConnecting) {
  int workflows = 0;
  for (const char* url : {"http://169.254.169.254/latest/meta-data/", "http://169.254.0.1:8080/",
                          "http://[fe80::1]/", "http://[::ffff:169.254.169.254]/",
                          "http://[::ffff:a9fe:a9fe]/", "http://[fd00:ec2::254]/",
                          "http://100.100.100.200/"}) {
    SCOPED_TRACE(url);
    const std::string name = "link-local-" + std::to_string(++workflows);
    ASSERT_TRUE(Apply(name, std::string(R"("url": ")") + url + "\"").ok());
    RunView run = RunToEnd(name, "");
    EXPECT_EQ(run.status, RunStatus::kFailed);
    EXPECT_THAT(run.error, HasSubstr("step 'call' failed after 1 failed attempt(s): url: "));
    EXPECT_THAT(run.error, HasSubstr("refused before connecting"));
  }
  // Other spellings of 169.254.169.254 never get as far as an address.
  for (const char* url : {"http://2852039166/", "http://0xA9FEA9FE/", "http://0251.0376.0251.0376/",
                          "http://169.254.43518/"}) {
    EXPECT_THAT(Apply("spelt", std::string(R"("url": ")") + url + "\"").message(),
                HasSubstr("reads as a number")) << url;
  }
}

TEST_F(OutboundCallTest, RedirectsAreNotFollowed) {
  testing::HttpTarget elsewhere([](const testing::ReceivedRequest&, size_t) {
    return testing::TargetResponse{200, R"({"ok": true})"};
  });
  testing::HttpTarget redirecting([&](const testing::ReceivedRequest&, size_t) {
    return testing::TargetResponse{302, "{}", {{"Location", elsewhere.url("/moved")}}};
  });
  ASSERT_TRUE(Apply("w", R"("url": ")" + redirecting.url("/p") + "\"").ok());
  RunView run = RunToEnd("w", "");
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_THAT(run.error, HasSubstr("HTTP 302"));
  EXPECT_EQ(redirecting.requests().size(), 1u);
  EXPECT_TRUE(elsewhere.requests().empty());
}

}  // namespace
}  // namespace assent::engine
