#include "engine/internal/http_step_rules.h"

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace assent::engine {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

// The one http step of a definition whose steps are [`step`]; parsed as stored definitions are.
StepDefinition Step(const std::string& step) {
  auto definition = ParseDefinition("w", json::parse(R"({"steps": [)" + step + "]}"));
  EXPECT_TRUE(definition.ok()) << definition.status().ToString();
  return definition.ok() ? (*definition)->steps.at(0) : StepDefinition{};
}

std::string ApplyError(const std::string& step) {
  Status status = CheckHttpStep(Step(step));
  return status.ok() ? "(applies)" : status.message();
}

const json::object kContext = json::parse(R"({"input": {
  "id": "a/b", "host": "127.0.0.1:8080", "evil": "127.0.0.1:8080\r\nX-Injected: yes",
  "number": "0xA9FEA9FE", "other": "127.0.0.1:9090", "port": 9}})").as_object();

Result<std::string> Rendered(const std::string& step) {
  return RenderStepUrl(Step(step), kContext);
}

TEST(HttpStepRulesTest, LiteralOriginsApplyAndRenderWithEncodedValues) {
  const std::string step = R"({"id": "p", "type": "http", "url": "http://127.0.0.1:8080/u/{{input.id}}",
                               "headers": {"Authorization": "Bearer {{input.id}}"}})";
  EXPECT_EQ(ApplyError(step), "(applies)");
  EXPECT_EQ(*Rendered(step), "http://127.0.0.1:8080/u/a%2Fb");
}

TEST(HttpStepRulesTest, AnOriginFromRunDataNeedsAllowHosts) {
  for (const char* url : {"http://{{input.host}}/x", "http://127.0.0.1:{{input.port}}/x",
                          "{{input.url}}"}) {
    const std::string step = std::string(R"({"id": "p", "type": "http", "url": ")") + url + "\"}";
    EXPECT_THAT(ApplyError(step), HasSubstr("list the hosts the step may call in \"allow_hosts\""))
        << url;
    // A definition stored before the rule existed still loads, and still cannot call out.
    EXPECT_THAT(Rendered(step).status().message(), HasSubstr("must be literal")) << url;
  }
}

TEST(HttpStepRulesTest, AllowHostsIsCheckedOnTheRenderedHost) {
  auto step = [](const std::string& url) {
    return R"({"id": "p", "type": "http", "allow_hosts": ["127.0.0.1:8080"], "url": ")" + url +
           "\"}";
  };
  EXPECT_EQ(ApplyError(step("http://{{input.host}}/x")), "(applies)");
  EXPECT_EQ(*Rendered(step("http://{{input.host}}/x/{{input.id}}")), "http://127.0.0.1:8080/x/a%2Fb");
  EXPECT_THAT(Rendered(step("http://{{input.other}}/x")).status().message(),
              HasSubstr("url: host 127.0.0.1:9090 is not in allow_hosts"));
  EXPECT_THAT(Rendered(step("http://{{input.evil}}/x")).status().message(),
              HasSubstr("url: contains CR (0x0D)"));
  EXPECT_THAT(Rendered(step("http://{{input.number}}/x")).status().message(),
              HasSubstr("reads as a number"));
  // A literal origin is checked against the list too, when the definition is applied.
  EXPECT_THAT(ApplyError(step("http://127.0.0.1:9090/x")), HasSubstr("not in allow_hosts"));
}

TEST(HttpStepRulesTest, LiteralTextIsCheckedWhenApplied) {
  EXPECT_THAT(ApplyError(R"({"id": "p", "type": "http", "url": "http://127.0.0.1/",
                             "headers": {"X-A\r\nX-Injected": "yes"}})"),
              HasSubstr("header 'X-A\r\nX-Injected': name contains CR (0x0D) at offset 3"));
  EXPECT_THAT(ApplyError(R"({"id": "p", "type": "http", "url": "http://127.0.0.1/",
                             "headers": {"X-V": "a\r\nX-Injected: {{input.id}}"}})"),
              HasSubstr("header 'X-V': value contains CR (0x0D) at offset 1"));
  EXPECT_THAT(ApplyError(R"({"id": "p", "type": "http", "url": "http://127.0.0.1/",
                             "headers": {"Host": "other.example"}})"),
              HasSubstr("header 'Host': frames the request"));
  EXPECT_THAT(ApplyError(R"({"id": "p", "type": "http", "url": "http://127.0.0.1/a b/{{input.id}}"})"),
              HasSubstr("url: contains a space (0x20) at offset 18"));
  EXPECT_THAT(ApplyError(R"({"id": "p", "type": "http", "url": "http://127.0.0.1/../{{input.id}}"})"),
              HasSubstr("'..' segment"));
  EXPECT_THAT(ApplyError(R"({"id": "p", "type": "http", "url": "http://2852039166/latest"})"),
              HasSubstr("reads as a number"));
}

}  // namespace
}  // namespace assent::engine
