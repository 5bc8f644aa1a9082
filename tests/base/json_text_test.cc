#include "base/json_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "base/utf8.h"

namespace assent {
namespace {

namespace json = boost::json;

json::value Parse(std::string_view text) {
  boost::system::error_code ec;
  json::value value = ParseJsonText(text, ec);
  EXPECT_FALSE(ec) << text << ": " << ec.message();
  return value;
}

// What the engine stores and reads back: every double survives serialize-then-parse.
// (boost::json::parse of Boost 1.81 returns a neighbouring double for about one in seven of
// these, e.g. 90747.31690196229.)
TEST(JsonTextTest, EveryDoubleSurvivesSerializeThenParse) {
  for (double x : {90747.31690196229, 1.0004444444444444e48, 1.3927926388013963e-143, 0.1 + 0.2,
                   -5.409760742964738e124}) {
    EXPECT_EQ(Parse(json::serialize(json::value(x))), json::value(x)) << json::value(x);
  }
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> amounts(0, 1e6);
  for (int i = 0; i < 20000; ++i) {
    double x = amounts(random) / 7;
    ASSERT_EQ(Parse(json::serialize(json::value(x))).as_double(), x) << json::value(x);
  }
}

TEST(JsonTextTest, ParsesEverythingElseAsBoostJsonDoes) {
  std::string text = R"({"s": "caf\u00e9", "i": -3, "u": 18446744073709551615, "tiny": 1e-400,
                         "a": [true, false, null, 1.5, {"k": []}], "e": {}})";
  boost::system::error_code ec;
  json::value boost_value = json::parse(text, ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(Parse(text), boost_value);
}

TEST(JsonTextTest, RefusesWhatIsNotOneDocument) {
  for (std::string_view text : {"", "{", "[1] 2", "nul", R"({"a": 1,})"}) {
    boost::system::error_code ec;
    EXPECT_TRUE(ParseJsonText(text, ec).is_null()) << text;
    EXPECT_TRUE(ec) << text;
  }
  boost::system::error_code ec;
  ParseJsonText(std::string(40, '[') + std::string(40, ']'), ec);
  EXPECT_EQ(ec, json::error::too_deep) << "the default depth limit, as boost::json::parse";
}

// Boost.JSON 1.81 keeps these as Infinity or NaN and writes them as text no parser reads back.
TEST(JsonTextTest, RefusesNumbersNoFiniteDoubleHolds) {
  for (std::string_view text : {"1e400", "-1e400", "[1, 2e308]", R"({"x": {"y": 1E+999}})",
                                "18446744073709551616e300"}) {
    boost::system::error_code ec;
    EXPECT_TRUE(ParseJsonText(text, ec).is_null()) << text;
    EXPECT_EQ(ec, JsonTextError::kNumberOutOfRange) << text;
    UntrustedJson untrusted = ParseUntrustedJson(text);
    EXPECT_EQ(untrusted.ec, JsonTextError::kNumberOutOfRange) << text;
    EXPECT_NE(untrusted.why.find("out of range"), std::string::npos) << untrusted.why;
  }
  // Zeros and numbers that round to zero or to the largest double are numbers (Boost 1.81 reads
  // this zero, with its huge exponent, as NaN).
  EXPECT_TRUE(std::signbit(Parse("-0.000000e2000008").as_double()));
  EXPECT_EQ(Parse("-0.000000e2000008"), json::value(0.0));
  EXPECT_EQ(Parse("1e-400"), json::value(0.0));
  EXPECT_EQ(Parse("1.7976931348623157e308"), json::value(1.7976931348623157e308));
}

TEST(JsonTextTest, UntrustedTextNamesEachKeyOnce) {
  std::string text = R"({"decision": "reject", "comment": "x", "decision": "approve"})";
  UntrustedJson parsed = ParseUntrustedJson(text);
  EXPECT_EQ(parsed.ec, JsonTextError::kDuplicateKey);
  EXPECT_TRUE(parsed.value.is_null());
  EXPECT_EQ(parsed.why,
            R"(has the key "decision" twice in one object (each key may appear once))");

  // Escapes spell the same key; nested objects and later siblings have their own keys.
  EXPECT_EQ(ParseUntrustedJson(R"({"a": 1, "\u0061": 2})").ec, JsonTextError::kDuplicateKey);
  EXPECT_EQ(ParseUntrustedJson(R"({"a": {"b": {"a": 1, "b": [{"a": 1}, {"a": 2}]}},)"
                               R"( "b": {"b": {"x": 1, "b": 2}}})")
                .ec,
            boost::system::error_code());
  EXPECT_EQ(ParseUntrustedJson(R"({"a": {"b": 1}, "c": {"b": 2, "d": {"e": 1, "e": 2}}})").ec,
            JsonTextError::kDuplicateKey);
  // Text the engine wrote itself is never checked: Boost's rule (the last one wins) stands.
  boost::system::error_code ec;
  EXPECT_EQ(ParseJsonText(text, ec).at("decision"), "approve");
}

TEST(JsonTextTest, UntrustedTextQuotesWhatIsWrongShortAndAsUtf8) {
  std::string key(200, 'k');
  key[63] = '\xC3';  // the first byte of a two-byte sequence, cut off at 64 bytes
  key[64] = '\xA9';
  UntrustedJson parsed = ParseUntrustedJson("{\"" + key + "\": 1, \"" + key + "\": 2}");
  ASSERT_EQ(parsed.ec, JsonTextError::kDuplicateKey);
  EXPECT_LT(parsed.why.size(), 150u) << parsed.why;
  EXPECT_TRUE(IsValidUtf8(parsed.why)) << parsed.why;

  json::parse_options shallow;
  shallow.max_depth = 3;
  EXPECT_EQ(ParseUntrustedJson("[[[[1]]]]", shallow).why,
            "is nested too deeply: at most 3 levels of arrays and objects");
  EXPECT_EQ(ParseUntrustedJson("{").why.rfind("is not valid JSON: ", 0), 0u);
}

TEST(JsonTextTest, WritableValuesAreThoseThatComeBackTheSame) {
  json::value value = {{"a", {1, 2.5, "x", nullptr}}, {"b", {{"c", true}}}};
  EXPECT_TRUE(CheckJsonWritable(value, "input").ok());
  boost::system::error_code ec;
  EXPECT_EQ(ParseJsonText(json::serialize(value), ec), value);

  value.at("a").as_array()[1] = std::numeric_limits<double>::infinity();
  EXPECT_EQ(CheckJsonWritable(value, "input").message(), "input.a[1] is not a finite number");
  value.at("a").as_array()[1] = std::nan("");
  EXPECT_EQ(CheckJsonWritable(value, "input").code(), StatusCode::kInvalidArgument);
  value.at("a").as_array()[1] = "caf\xC3";
  EXPECT_EQ(CheckJsonWritable(value, "input").message(), "input.a[1] is not valid UTF-8");
  value.at("a").as_array()[1] = 1;
  value.as_object()["bad\xFFkey"] = 1;
  EXPECT_EQ(CheckJsonWritable(value, "input").message(), "input has a key that is not valid UTF-8");
  EXPECT_EQ(CheckJsonWritable(value.as_object(), "input").message(),
            "input has a key that is not valid UTF-8");
}

// The same depth as the parser's: what is nested deeper could be written but not read back.
TEST(JsonTextTest, WritableDepthIsTheParsersDepth) {
  for (std::size_t depth : {31u, 32u, 33u}) {
    std::string text = std::string(depth, '[') + std::string(depth, ']');
    boost::system::error_code ec;
    json::value parsed = json::parse(text, ec, {}, [] {
      json::parse_options unlimited;
      unlimited.max_depth = 100;
      return unlimited;
    }());
    ASSERT_FALSE(ec);
    ParseJsonText(text, ec);
    EXPECT_EQ(CheckJsonWritable(parsed, "v").ok(), !ec) << depth;
  }
}

}  // namespace
}  // namespace assent
