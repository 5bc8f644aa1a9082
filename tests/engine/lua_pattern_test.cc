// The sandbox's pattern functions against the stock Lua library: the same calls on the same
// subject and pattern must give the same results and the same errors (lua_pattern_differential.h).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tests/engine/lua_pattern_differential.h"

namespace assent::engine {
namespace {

void ExpectSame(testing::PatternDifferential& differential, std::string_view subject,
                std::string_view pattern) {
  std::optional<testing::PatternResults> results = differential.Compare(subject, pattern);
  ASSERT_TRUE(results.has_value()) << "ran out of budget on " << subject << " / " << pattern;
  EXPECT_EQ(results->ours, results->stock) << "subject [" << subject << "] pattern [" << pattern
                                           << "]";
}

TEST(LuaPatternTest, EveryFeatureOfTheManualMatchesStockLua) {
  testing::PatternDifferential differential(1u << 20);
  const std::vector<std::string> subjects = {
      "", "a", "abc", "aaa", "hello world from Lua", "  key = value  ", "f(a(b)c)d",
      "THE (quick) fox", "x=1, y=22, z=333", "a.b-c+d*e?f", "[brackets] and ]", "%d%%",
      "caf\xc3\xa9 \xff\x01", std::string("nul\0byte", 8), "aaab", "abab abab", "\"q\" 'r'",
      "THE (quick) fox", "one two  three\tfour\nfive"};
  const std::vector<std::string> patterns = {
      // single characters and classes
      "", "a", ".", "%a", "%A", "%c", "%d", "%D", "%g", "%l", "%p", "%s", "%S", "%u", "%w", "%x",
      "%X", "%.", "%%", "%z", "%Z", "%(", "%]",
      // sets
      "[abc]", "[^abc]", "[a-c]", "[%a_]", "[%d%.]", "[]]", "[^]]", "[a-]", "[-a]", "[%]]",
      "[%a-z]", "[^%s]+", "[\xc3\xa9]", "[%w_]*",
      // quantifiers
      "a*", "a+", "a-", "a?", ".*", ".-", ".+", "a*b", "a-b", "a?b", "%a+%s*", "%d+", ".-b",
      "x*$", "a*a*a*", "%s*(.-)%s*$", "(a*(.)%w(%s*))",
      // anchors
      "^a", "^", "$", "^$", "a$", "^%a+", "^(.-)$", "a^b", "$a", "^^",
      // captures
      "()", "(a)", "(a)(b)", "((a)(b))", "()a()", "(%a+)=(%d+)", "(h)(e)(l)(l)(o)", "(.)%1",
      "(a)%1", "(%a+) %1", "()%1", "(a*)", "(.-)%s", "((.)(.))",
      // balanced and frontier
      "%b()", "%b''", "%bab", "%f[%w]%w+", "%f[%W]", "%f[%a]", "%f[^%z]", "%f[a]", "%b)(",
      // malformed
      "%", "[a", "[", "[^", "(", ")", "(()", "%b", "%ba", "%f", "%fa", "%1", "(a)%2", "(a%1)",
      "%0", "a%", "[%", "((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))",
      std::string(250, '(') + std::string(250, ')'), std::string(220, 'a') + "?"};
  for (const std::string& subject : subjects) {
    for (const std::string& pattern : patterns) ExpectSame(differential, subject, pattern);
  }
}

// Random patterns from pattern pieces over subjects from a small alphabet, so that the pieces
// often match and combine.
TEST(LuaPatternTest, RandomPatternsMatchStockLua) {
  testing::PatternDifferential differential(1u << 12);
  std::mt19937 random(20261130);
  const std::vector<std::string> pieces = {
      "a", "b", "c", ".", "%a", "%d", "%s", "%w", "%A", "[ab]", "[^a]", "[a-c]", "[%d]", "*",
      "+", "-", "?", "(", ")", "()", "%1", "%2", "%b()", "%bab", "%f[%a]", "%f[b]", "^", "$",
      "%", "[", "]", " ", "1", "%%", "%(", "%]"};
  const std::string alphabet = "aabbc 1(x)";
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(random); };
  int compared = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string pattern;
    for (size_t n = pick(7); n > 0; --n) pattern += pieces[pick(pieces.size())];
    std::string subject;
    for (size_t n = pick(12); n > 0; --n) subject += alphabet[pick(alphabet.size())];
    std::optional<testing::PatternResults> results = differential.Compare(subject, pattern);
    if (!results) continue;
    ++compared;
    ASSERT_EQ(results->ours, results->stock)
        << "subject [" << subject << "] pattern [" << pattern << "]";
  }
  EXPECT_GT(compared, 2900);
}

}  // namespace
}  // namespace assent::engine
