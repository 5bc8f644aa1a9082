#include "engine/internal/template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace assent::engine {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

class TemplateTest : public ::testing::Test {
 protected:
  json::object context_ = json::parse(R"({
    "input": {"vendor": "ACME", "count": 3, "tags": ["a", "b"], "nothing": null,
              "weird key": 1, "0": "zero-key"},
    "steps": {"extract": {"amount": 7200, "vendor": "ACME", "ok": true, "rate": 0.25,
                          "lines": [{"sku": "x1"}, {"sku": "x2"}], "meta": {"id": 7}}}
  })")
                              .as_object();
};

TEST_F(TemplateTest, InvoiceMessage) {
  Result<std::string> rendered =
      RenderString("Pay {{steps.extract.amount}} to {{steps.extract.vendor}}?", context_);
  ASSERT_TRUE(rendered.ok()) << rendered.status().ToString();
  EXPECT_EQ(*rendered, "Pay 7200 to ACME?");
}

TEST_F(TemplateTest, InterpolatesNonStringsAsCompactJson) {
  Result<std::string> rendered = RenderString(
      "{{steps.extract.ok}} {{input.nothing}} {{steps.extract.meta}} {{input.tags}} "
      "{{steps.extract.rate}}",
      context_);
  ASSERT_TRUE(rendered.ok()) << rendered.status().ToString();
  EXPECT_EQ(*rendered, R"(true null {"id":7} ["a","b"] 2.5E-1)");
}

TEST_F(TemplateTest, WhitespaceInsideBracesIsIgnored) {
  EXPECT_EQ(*RenderString("[{{ input.vendor }}][{{\tinput.count\n}}]", context_), "[ACME][3]");
}

TEST_F(TemplateTest, ArrayIndexesAndNestedObjects) {
  EXPECT_EQ(*RenderString("{{steps.extract.lines.1.sku}}", context_), "x2");
  EXPECT_EQ(*RenderString("{{input.tags.0}}{{steps.extract.meta.id}}", context_), "a7");
  // A numeric segment on an object is a key.
  EXPECT_EQ(*RenderString("{{input.0}}", context_), "zero-key");
  EXPECT_EQ(*RenderString("{{input.weird key}}", context_), "1");
}

TEST_F(TemplateTest, MissingPathNamesThePath) {
  for (const char* path :
       {"steps.x.y", "steps.extract.lines.2.sku", "input.tags.-1", "input.vendor.length", "nope"}) {
    Result<std::string> rendered = RenderString(std::string("a {{ ") + path + " }} b", context_);
    ASSERT_FALSE(rendered.ok()) << path;
    EXPECT_EQ(rendered.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(rendered.status().message(), std::string("template: '") + path + "' not found");
  }
}

TEST_F(TemplateTest, NoPlaceholdersPassesThrough) {
  EXPECT_EQ(*RenderString("", context_), "");
  EXPECT_EQ(*RenderString("plain } text { with }} braces", context_),
            "plain } text { with }} braces");
  json::value tmpl = json::parse(R"({"a": [1, "x", null, {"b": false}]})");
  EXPECT_EQ(*RenderValue(tmpl, context_), tmpl);
}

TEST_F(TemplateTest, UnclosedAndEmptyPlaceholdersAreRejected) {
  for (const char* bad : {"Pay {{steps.extract.amount", "{{", "x {{ }} y", "{{}}",
                          "{{steps..amount}}", "{{.steps}}", "{{a {{b}}"}) {
    Status status = CheckTemplate(bad);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(status.message(), HasSubstr("template:")) << bad;
    EXPECT_FALSE(RenderString(bad, context_).ok()) << bad;
  }
  EXPECT_THAT(CheckTemplate("Pay {{steps.extract.amount").message(), HasSubstr("unclosed"));
  EXPECT_THAT(CheckTemplate("{{ }}").message(), HasSubstr("empty"));
  // Checking is syntax only: an unknown path is fine.
  EXPECT_TRUE(CheckTemplate("Pay {{steps.unknown.amount}} now").ok());
  EXPECT_TRUE(CheckTemplate("no placeholders").ok());
}

TEST_F(TemplateTest, CheckTemplateValueWalksNestedStrings) {
  EXPECT_TRUE(
      CheckTemplateValue(json::parse(R"({"a": ["{{x}}", {"b": "{{y.z}}"}], "n": 1})")).ok());
  Status status = CheckTemplateValue(json::parse(R"({"a": [1, {"b": "oops {{"}]})"));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("unclosed"));
}

TEST_F(TemplateTest, WholePlaceholderKeepsJsonType) {
  json::value tmpl = json::parse(R"({
    "amount": "{{steps.extract.amount}}",
    "ok": "{{ steps.extract.ok }}",
    "meta": "{{steps.extract.meta}}",
    "nothing": "{{input.nothing}}",
    "text": "Pay {{steps.extract.amount}}",
    "two": "{{input.count}}{{input.count}}",
    "padded": " {{input.count}}",
    "list": ["{{input.tags.1}}", "{{steps.extract.rate}}", 5],
    "{{input.vendor}}": "keys are untouched"
  })");
  Result<json::value> rendered = RenderValue(tmpl, context_);
  ASSERT_TRUE(rendered.ok()) << rendered.status().ToString();
  EXPECT_EQ(*rendered, json::parse(R"({
    "amount": 7200,
    "ok": true,
    "meta": {"id": 7},
    "nothing": null,
    "text": "Pay 7200",
    "two": "33",
    "padded": " 3",
    "list": ["b", 0.25, 5],
    "{{input.vendor}}": "keys are untouched"
  })"));
  EXPECT_TRUE(rendered->at("amount").is_int64());
}

TEST_F(TemplateTest, RenderValueReportsTheFirstError) {
  Result<json::value> rendered =
      RenderValue(json::parse(R"({"a": {"b": ["fine", "{{steps.x.y}}"]}})"), context_);
  ASSERT_FALSE(rendered.ok());
  EXPECT_EQ(rendered.status().message(), "template: 'steps.x.y' not found");
  EXPECT_FALSE(RenderValue(json::value("{{"), context_).ok());
}

}  // namespace
}  // namespace assent::engine
