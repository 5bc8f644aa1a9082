#include "engine/internal/json_text.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace assent::engine {
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
  std::string text = R"({"s": "caf\u00e9", "i": -3, "u": 18446744073709551615, "big": 1e400,
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

}  // namespace
}  // namespace assent::engine
