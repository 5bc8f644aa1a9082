#include "engine/internal/lua_sandbox.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <ctime>
#include <string>

#include "engine/internal/lua_cpu_budget.h"

namespace assent::engine {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

json::object Obj(std::string_view text) { return json::parse(text).as_object(); }

class LuaSandboxTest : public ::testing::Test {
 protected:
  Result<json::value> Run(std::string_view code) { return sandbox_.RunChunk(code, input_, steps_); }
  Result<bool> Condition(std::string_view expression) {
    return sandbox_.EvaluateCondition(expression, input_, steps_);
  }
  // The error message of a run that must fail with kInvalidArgument.
  std::string RunError(std::string_view code) {
    Result<json::value> result = Run(code);
    EXPECT_FALSE(result.ok()) << code << " returned "
                              << (result.ok() ? json::serialize(*result) : "");
    if (result.ok()) return "";
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
    return result.status().message();
  }

  LuaSandbox sandbox_{LuaLimits{.max_instructions = 1'000'000, .max_memory_bytes = 4u << 20}};
  json::object input_ = Obj(R"({"vendor": "ACME", "amounts": [1, 2, 3], "big": 18446744073709551615,
                                "ratio": 0.5, "flag": true, "nothing": null})");
  json::object steps_ = Obj(R"({"extract": {"amount": 7200, "lines": [{"sku": "a"}]}})");
};

TEST_F(LuaSandboxTest, ReturnsObject) {
  Result<json::value> result = Run(R"(return {name = "x", n = 3, f = 1.5, ok = true})");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(*result, json::parse(R"({"name": "x", "n": 3, "f": 1.5, "ok": true})"));
  EXPECT_TRUE(result->at("n").is_int64());
  EXPECT_TRUE(result->at("f").is_double());
}

TEST_F(LuaSandboxTest, ReturnsArrayAndNestedValues) {
  Result<json::value> result = Run(R"(return {1, "two", {3}, {a = {}}})");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(*result, json::parse(R"([1, "two", [3], {"a": {}}])"));
}

TEST_F(LuaSandboxTest, ReturnsScalars) {
  EXPECT_EQ(*Run("return 42"), json::value(42));
  EXPECT_EQ(*Run("return 'hi'"), json::value("hi"));
  EXPECT_EQ(*Run("return false"), json::value(false));
  EXPECT_TRUE(Run("return nil")->is_null());
  EXPECT_TRUE(Run("local x = 1")->is_null());
  EXPECT_EQ(*Run("return {}"), json::value(json::object()));
  EXPECT_EQ(*Run("return 7 / 2"), json::value(3.5));
}

TEST_F(LuaSandboxTest, SeesInputAndSteps) {
  Result<json::value> result = Run(R"(
    local total = 0
    for _, a in ipairs(input.amounts) do total = total + a end
    return {vendor = input.vendor, total = total, amount = steps.extract.amount,
            sku = steps.extract.lines[1].sku, big_is_float = math.type(input.big) == "float",
            ratio = input.ratio, flag = input.flag, nothing_is_nil = input.nothing == nil,
            int_type = math.type(steps.extract.amount)})");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(*result, json::parse(R"({"vendor": "ACME", "total": 6, "amount": 7200, "sku": "a",
      "big_is_float": true, "ratio": 0.5, "flag": true, "nothing_is_nil": true,
      "int_type": "integer"})"));
}

// input and steps are converted when first read, then are ordinary globals of the run.
TEST_F(LuaSandboxTest, InputAndStepsAreOrdinaryGlobalsOnceRead) {
  EXPECT_EQ(*Run("input.vendor = 'X'; return input.vendor"), json::value("X"))
      << "a second read sees the same table";
  EXPECT_EQ(*Run("return input.vendor"), json::value("ACME")) << "and the next run a fresh one";
  EXPECT_EQ(*Run("input = 5; return input"), json::value(5)) << "an assignment before any read";
  EXPECT_EQ(*Run("steps = nil; return steps"), json::value(nullptr));
  EXPECT_EQ(*Run("local s = steps; steps = nil; return {s ~= nil, steps == nil}"),
            json::parse("[true, true]"));
  EXPECT_EQ(*Run("return {_G.input.vendor, _ENV.steps.extract.amount, _G.undefined == nil}"),
            json::parse(R"(["ACME", 7200, true])"));
  EXPECT_EQ(*Run("local n = 0 for _ in pairs(input) do n = n + 1 end return n"), json::value(5))
      << "input's members (the null one is nil)";
  json::object other_input = Obj(R"({"vendor": "Other"})");
  EXPECT_EQ(*sandbox_.RunChunk("return input.vendor", other_input, steps_), json::value("Other"))
      << "the same chunk, cached, reads its own run's input";
  EXPECT_EQ(*Run("return type(input) .. type(steps)"), json::value("tabletable"));
}

// A chunk that never reads its input does not pay for converting it, nor fail on it; one that
// does gets the conversion's error as before.
TEST_F(LuaSandboxTest, OnlyWhatIsReadIsConverted) {
  json::value deep = "leaf";
  for (int level = 0; level < 80; ++level) deep = json::array{deep};
  json::object input{{"deep", deep}};
  Result<json::value> unread = sandbox_.RunChunk("return steps.extract.amount", input, steps_);
  ASSERT_TRUE(unread.ok()) << unread.status().ToString();
  EXPECT_EQ(*unread, json::value(7200));
  Result<json::value> read = sandbox_.RunChunk("return input.deep ~= nil", input, steps_);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(), HasSubstr("input nested deeper than 64 levels"));
  Result<json::value> caught = sandbox_.RunChunk(
      "local ok = pcall(function() return input end) return {ok, input == nil}", input, steps_);
  ASSERT_FALSE(caught.ok()) << "a caught failure does not leave input nil: "
                            << json::serialize(*caught);
  EXPECT_THAT(caught.status().message(), HasSubstr("input nested deeper than 64 levels"));
  // The error names what was too deep.
  Result<json::value> steps = sandbox_.RunChunk("return steps.x ~= nil", {}, input);
  ASSERT_FALSE(steps.ok());
  EXPECT_THAT(steps.status().message(), HasSubstr("steps nested deeper than 64 levels"));
  Result<bool> gate = sandbox_.EvaluateCondition("true", {}, {}, &input);
  ASSERT_FALSE(gate.ok());
  EXPECT_THAT(gate.status().message(), HasSubstr("request nested deeper than 64 levels"));
}

TEST_F(LuaSandboxTest, AGatesConditionSeesTheRequestAndItsBodysFieldsByName) {
  json::object request = Obj(R"({"method": "POST", "body": {"amount": 7200, "input": "shadow",
                                                           "_G": "shadow", "type": "purge"}})");
  auto holds = [&](std::string_view expression) {
    Result<bool> result = sandbox_.EvaluateCondition(expression, input_, steps_, &request);
    EXPECT_TRUE(result.ok()) << expression << ": " << result.status().ToString();
    return result.ok() && *result;
  };
  EXPECT_TRUE(holds("amount > 5000 and request.method == 'POST'"));
  EXPECT_TRUE(holds("request.body.amount == amount"));
  EXPECT_TRUE(holds("input.vendor == 'ACME'")) << "a body field does not hide input";
  EXPECT_TRUE(holds("request.body.input == 'shadow'"));
  EXPECT_TRUE(holds("_G.input.vendor == 'ACME' and request.body._G == 'shadow'"))
      << "nor does a body field _G";
  EXPECT_TRUE(holds("type == 'purge'")) << "the body's field, not Lua's function";
  EXPECT_TRUE(holds("string.upper(type) == 'PURGE'"));
  Result<bool> plain = Condition("amount == nil and request == nil and type(1) == 'number'");
  EXPECT_TRUE(plain.ok() && *plain) << "a condition step sees none of them";
}

TEST_F(LuaSandboxTest, DangerousFunctionsAreAbsent) {
  Result<json::value> result = Run(R"(
    return {os = os == nil, io = io == nil, require = require == nil, load = load == nil,
            dofile = dofile == nil, loadfile = loadfile == nil, dump = string.dump == nil,
            debug = debug == nil, package = package == nil,
            collectgarbage = collectgarbage == nil, rawset = rawset == nil})");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  for (const auto& member : result->as_object()) {
    EXPECT_EQ(member.value(), json::value(true)) << member.key();
  }
  EXPECT_THAT(RunError("return os.time()"), HasSubstr("os"));
  EXPECT_THAT(RunError("return string.dump(function() end)"), HasSubstr("dump"));
}

TEST_F(LuaSandboxTest, LibraryTablesCannotBeChangedForLaterRuns) {
  EXPECT_THAT(RunError("string.upper = function() return 'pwned' end"), HasSubstr("read-only"));
  EXPECT_FALSE(Run("return getmetatable('').__index").ok());
  EXPECT_FALSE(Run("setmetatable(string, {})").ok());
  EXPECT_EQ(*Run("return string.upper('a')"), json::value("A"));
  EXPECT_EQ(*Run("return ('a'):upper()"), json::value("A"));
}

TEST_F(LuaSandboxTest, FinalizersAreRefused) {
  EXPECT_THAT(RunError("setmetatable({}, {__gc = function() end})"), HasSubstr("__gc"));
  EXPECT_EQ(*Run("return getmetatable(setmetatable({}, {x = 1})).x"), json::value(1));
}

TEST_F(LuaSandboxTest, GlobalsDoNotLeakBetweenRuns) {
  ASSERT_TRUE(Run("leaked = 1; _G.also = 2; return leaked").ok());
  EXPECT_EQ(*Run("return {leaked == nil, also == nil}"), json::parse("[true, true]"));
  // The same code string (a cached chunk) gets a fresh environment too.
  const char* counter = "counter = (counter or 0) + 1; return counter";
  EXPECT_EQ(*Run(counter), json::value(1));
  EXPECT_EQ(*Run(counter), json::value(1));
}

TEST_F(LuaSandboxTest, InstructionLimit) {
  LuaSandbox sandbox(LuaLimits{.max_instructions = 10'000, .max_memory_bytes = 4u << 20});
  Result<json::value> result = sandbox.RunChunk("while true do end", {}, {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), "instruction limit exceeded");
  // Catching the error does not help.
  result = sandbox.RunChunk("while true do pcall(function() while true do end end) end", {}, {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "instruction limit exceeded");
  // A bounded loop below the limit still runs, on the recreated state.
  result = sandbox.RunChunk("local s = 0 for i = 1, 100 do s = s + i end return s", {}, {});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(*result, json::value(5050));
}

TEST_F(LuaSandboxTest, MemoryLimit) {
  EXPECT_EQ(RunError(R"(return string.rep("x", 1e9))"), "memory limit exceeded");
  EXPECT_EQ(RunError("local t = {} for i = 1, 1e8 do t[i] = i end return #t"),
            "memory limit exceeded");
  EXPECT_EQ(RunError("local s = 'x' while true do s = s .. s end"), "memory limit exceeded");
  EXPECT_EQ(RunError(R"(local ok = pcall(string.rep, "x", 1e9) return ok)"),
            "memory limit exceeded");
  // The sandbox still works afterwards, and garbage from earlier runs does not count.
  for (int i = 0; i < 20; ++i) {
    Result<json::value> result = Run("local t = {} for i = 1, 20000 do t[i] = i end return #t");
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(*result, json::value(20000));
  }
}

TEST_F(LuaSandboxTest, InputLargerThanTheMemoryLimitFails) {
  LuaSandbox sandbox(LuaLimits{.max_instructions = 1'000'000, .max_memory_bytes = 64u << 10});
  json::object input;
  input["blob"] = std::string(1u << 20, 'x');
  Result<json::value> result = sandbox.RunChunk("return #input.blob", input, {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "memory limit exceeded");
  result = sandbox.RunChunk("return 1", {}, {});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
}

TEST_F(LuaSandboxTest, RuntimeErrorIsPropagated) {
  EXPECT_THAT(RunError("error('vendor missing')"), HasSubstr("vendor missing"));
  EXPECT_THAT(RunError("local x = nil\nreturn x.y"), HasSubstr("code:2:"));
  EXPECT_THAT(RunError("error({})"), HasSubstr("table"));
  EXPECT_THAT(RunError("return (("), HasSubstr("code:1:"));
}

TEST_F(LuaSandboxTest, CheckChunkAndExpression) {
  EXPECT_TRUE(LuaSandbox::CheckChunk("return {a = 1}").ok());
  Status status = LuaSandbox::CheckChunk("return {a = }");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("code:1:"));

  EXPECT_TRUE(LuaSandbox::CheckExpression("input.amount > 5000 -- big").ok());
  EXPECT_EQ(LuaSandbox::CheckExpression("input.amount >").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LuaSandbox::CheckExpression("").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LuaSandbox::CheckExpression("1) x = (2").code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(LuaSandbox::CheckExpression("a b").message(), HasSubstr("condition:"));
}

TEST_F(LuaSandboxTest, BinaryChunkIsRefused) {
  // "\x1bLua" is the signature of precompiled chunks.
  const std::string binary = std::string("\x1bLua") + std::string("\x54\x00", 2) + "junk";
  Status status = LuaSandbox::CheckChunk(binary);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("binary"));
  EXPECT_THAT(RunError(binary), HasSubstr("binary"));
}

TEST_F(LuaSandboxTest, ConditionTruthiness) {
  EXPECT_FALSE(*Condition("nil"));
  EXPECT_FALSE(*Condition("false"));
  EXPECT_TRUE(*Condition("0"));
  EXPECT_TRUE(*Condition("''"));
  EXPECT_TRUE(*Condition("{}"));
  EXPECT_TRUE(*Condition("steps.extract.amount > 5000"));
  EXPECT_FALSE(*Condition("input.vendor == 'other'"));
  EXPECT_FALSE(*Condition("input.missing"));
  Result<bool> failed = Condition("input.missing.deeper");
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("condition:1:"));
  // A trailing comment does not swallow the closing parenthesis.
  EXPECT_TRUE(*Condition("input.flag -- approved upstream"));
}

TEST_F(LuaSandboxTest, UnconvertibleResultsAreErrors) {
  EXPECT_THAT(RunError("return function() end"), HasSubstr("function"));
  EXPECT_THAT(RunError("return {f = print or function() end}"), HasSubstr("result.f"));
  EXPECT_THAT(RunError("return {1, 2, x = 3}"), HasSubstr("mixes"));
  EXPECT_THAT(RunError("return {[1] = 1, [3] = 3}"), HasSubstr("sequence"));
  EXPECT_THAT(RunError("return {[0] = 1}"), HasSubstr("below 1"));
  EXPECT_THAT(RunError("return {[1.5] = 1}"), HasSubstr("non-integer"));
  EXPECT_THAT(RunError("return {[true] = 1}"), HasSubstr("boolean"));
  EXPECT_THAT(RunError("local t = {} t.self = t return t"), HasSubstr("contains itself"));
  EXPECT_THAT(RunError("local t = {{}} t[1][1] = t return {x = t}"), HasSubstr("result.x[1][1]"));
  EXPECT_THAT(RunError("return {x = 1/0}"), HasSubstr("has no JSON form"));
  EXPECT_THAT(RunError("return {x = -1/0}"), HasSubstr("result.x"));
  EXPECT_THAT(RunError("return {1, nil, 3}"), HasSubstr("not a sequence"));
  EXPECT_THAT(RunError("return {f = setmetatable}"), HasSubstr("function"));
  // A table held twice is not a cycle: it is written out twice.
  EXPECT_EQ(*Run("local t = {1} return {t, t}"), json::parse("[[1], [1]]"));
  EXPECT_THAT(RunError("return 0/0"), HasSubstr("JSON"));
  EXPECT_THAT(RunError("return {x = math.huge}"), HasSubstr("result.x"));
  EXPECT_THAT(RunError("return {items = {1, 2, string.len}}"), HasSubstr("result.items[3]"));
  // The sandbox is fine afterwards.
  EXPECT_EQ(*Run("return 1"), json::value(1));
}

// A result is stored as JSON text and parsed back, live and on replay. Nesting the parser would
// refuse came back as a string (and a template reading a field of it said "not found"); now it
// is refused where it is made, and everything up to the limit reads back as itself.
TEST_F(LuaSandboxTest, ResultsNestAtMostAsDeepAsJsonReadsBack) {
  const char* nest = "local t = 'leaf' for i = 1, input.n do t = {t} end return t";
  for (int n : {31, 32}) {
    json::object input;
    input["n"] = n;
    Result<json::value> result = sandbox_.RunChunk(nest, input, {});
    ASSERT_TRUE(result.ok()) << n << ": " << result.status().ToString();
    boost::system::error_code ec;
    json::value back = json::parse(json::serialize(*result), ec);
    ASSERT_FALSE(ec) << n << " levels do not parse back: " << ec.message();
    EXPECT_EQ(back, *result);
  }
  json::object input;
  input["n"] = 33;
  Result<json::value> result = sandbox_.RunChunk(nest, input, {});
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), HasSubstr("nested deeper than 32 levels"));
}

// `{t, t}` written out doubles per level: 40 levels of it stand for 2^40 leaves from a few
// hundred bytes of Lua. The conversion stops at the memory limit instead of taking the server's.
TEST_F(LuaSandboxTest, ResultsThatShareTablesAreBoundedInSize) {
  EXPECT_THAT(RunError("local t = {'x'} for i = 1, 30 do t = {t, t} end return t"),
              HasSubstr("larger than the limit"));
  EXPECT_THAT(RunError("local s = string.rep('x', 1e6) local t = {} for i = 1, 100 do t[i] = s end "
                       "return t"),
              HasSubstr("larger than the limit"));
}

TEST_F(LuaSandboxTest, StringsThatAreNotUtf8AreErrors) {
  // Lua strings are bytes. Stored as JSON text, these would not parse back, and a run rebuilt
  // from the log would differ from the live one.
  EXPECT_THAT(RunError("return string.char(255)"), HasSubstr("not UTF-8"));
  EXPECT_THAT(RunError("return {name = 'caf\\xe9'}"), HasSubstr("result.name"));
  EXPECT_THAT(RunError("return {['\\xff'] = 1}"), HasSubstr("key that is not UTF-8"));
  EXPECT_EQ(*Run("return 'caf\\xc3\\xa9'"), json::value("caf\xc3\xa9"));
  // An error message is repaired rather than refused: it is what the step failed with.
  EXPECT_THAT(RunError("error('bad \\xff', 0)"), HasSubstr("bad \xEF\xBF\xBD"));
}

TEST_F(LuaSandboxTest, ReusesCompiledChunksAcrossInputs) {
  const char* code = "return input.n * 2";
  for (int n = 0; n < 50; ++n) {
    json::object input;
    input["n"] = n;
    Result<json::value> result = sandbox_.RunChunk(code, input, {});
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(*result, json::value(2 * n));
  }
}

TEST_F(LuaSandboxTest, ManyDistinctChunksOutgrowTheCacheSafely) {
  // More distinct scripts than the chunk cache holds: the state is rebuilt along the way.
  for (int i = 0; i < 1500; ++i) {
    Result<json::value> result = Run("return " + std::to_string(i));
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    ASSERT_EQ(*result, json::value(i));
    Result<bool> condition = Condition(std::to_string(i) + " >= 0");
    ASSERT_TRUE(condition.ok()) << condition.status().ToString();
    ASSERT_TRUE(*condition);
  }
}

}  // namespace
}  // namespace assent::engine

namespace assent::engine {
namespace {

// This thread's CPU time: what the budgets count.
int64_t ThreadCpuMs() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return int64_t{now.tv_sec} * 1000 + now.tv_nsec / 1'000'000;
}

// The CPU budget (LuaLimits::max_cpu). Each case would run for minutes or hours without it; the
// instruction limit does not see work done inside one C call or one instruction.
class LuaCpuBudgetTest : public ::testing::Test {
 protected:
  std::string Error(std::string_view code) {
    Result<json::value> result = sandbox_.RunChunk(code, {}, {});
    EXPECT_FALSE(result.ok()) << code;
    if (result.ok()) return "";
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
    return result.status().message();
  }
  static constexpr const char* kExceeded = "code step exceeded its CPU budget of 50 ms";

  LuaSandbox sandbox_{LuaLimits{.max_instructions = 100'000'000,
                                .max_memory_bytes = 64u << 20,
                                .max_cpu = std::chrono::milliseconds(50)}};
};

TEST_F(LuaCpuBudgetTest, CatastrophicPatternsStop) {
  // Issue 8's pattern: hours in the stock string.find.
  EXPECT_EQ(Error("return string.find(string.rep('a', 100000), '.-.-.-.-.-.-b')"), kExceeded);
  EXPECT_EQ(Error("return string.match(string.rep('a', 100000), '(.-)(.-)(.-)(.-)b')"), kExceeded);
  EXPECT_EQ(Error("return string.gsub(string.rep('a', 100000), '.-.-.-.-b', '')"), kExceeded);
  EXPECT_EQ(Error("for x in string.gmatch(string.rep('a', 100000), 'a*a*a*a*a*b') do end"),
            kExceeded);
  // Catching the error does not let the script go on.
  EXPECT_EQ(Error("while true do pcall(string.find, string.rep('a', 1e5), '.-.-.-.-b') end"),
            kExceeded);
  // The sandbox works afterwards.
  Result<json::value> result = sandbox_.RunChunk("return string.find('abc', 'b')", {}, {});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(*result, json::value(2));
}

TEST_F(LuaCpuBudgetTest, UnboundedLibraryLoopsStop) {
  // Loops over lengths that have no memory behind them.
  EXPECT_EQ(Error("table.move({}, 1, math.maxinteger - 1, 1)"), kExceeded);
  EXPECT_EQ(Error("table.insert(setmetatable({}, {__len = function() return 1 << 60 end}), 1, 0)"),
            kExceeded);
  EXPECT_EQ(Error("table.remove(setmetatable({}, {__len = function() return 1 << 60 end}), 1)"),
            kExceeded);
  // O(n log n) comparisons in one call: 1.3 million numbers, built by doubling with table.move
  // so that building takes a small part of the budget.
  LuaSandbox sorter(LuaLimits{.max_instructions = 100'000'000,
                              .max_memory_bytes = 64u << 20,
                              .max_cpu = std::chrono::milliseconds(200)});
  Result<json::value> sorted = sorter.RunChunk(
      "local t = {5, 3, 9, 1, 7, 2, 8, 4, 6, 0} "
      "for i = 1, 17 do table.move(t, 1, #t, #t + 1) end table.sort(t) return #t",
      {}, {});
  ASSERT_FALSE(sorted.ok());
  EXPECT_EQ(sorted.status().message(), "code step exceeded its CPU budget of 200 ms");
  // Instructions that each compare two 8 MB strings: a few hundred of them between two calls of
  // the instruction hook.
  EXPECT_EQ(Error("local a, b = string.rep('a', 8e6), string.rep('a', 8e6) "
                  "while true do local _ = a == b end"),
            kExceeded);
}

TEST_F(LuaCpuBudgetTest, StockResultsWhereTheWorkIsBounded) {
  Result<json::value> result = sandbox_.RunChunk(R"(
    local t = {5, 3, 1, 4, 2}
    table.sort(t)
    local d = {3, 1, 2}
    table.sort(d, function(a, b) return a > b end)
    local m = table.move({1, 2, 3, 4, 5}, 1, 3, 2)
    local ins = {1, 2, 3} table.insert(ins, 2, 9) table.insert(ins, 7)
    local rem = {1, 2, 3} local removed = table.remove(rem, 1)
    return {sorted = t, desc = d, moved = m, inserted = ins, removed = removed, rest = rem,
            empty = string.rep('', 1 << 62), sep = string.rep('', 3, ','),
            ab = string.rep('ab', 3, '-'),
            g = (string.gsub('hello world', '(%w+)', '<%1>'))})",
                                                   {}, {});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(*result, json::parse(R"({"sorted": [1, 2, 3, 4, 5], "desc": [3, 2, 1],
      "moved": [1, 1, 2, 3, 5], "inserted": [1, 9, 2, 3, 7], "removed": 1, "rest": [2, 3],
      "empty": "", "sep": ",,", "ab": "ab-ab-ab", "g": "<hello> <world>"})"));
  EXPECT_THAT(Error("table.sort({3, 1, 2}, 5)"), HasSubstr("function expected"));
  EXPECT_THAT(Error("table.sort({3, 'x', 2})"), HasSubstr("attempt to compare"));
  EXPECT_THAT(Error("table.insert({}, 5, 1)"), HasSubstr("position out of bounds"));
}

// Each run arms the timer afresh: hundreds of short runs before do not change when a long one
// stops.
TEST_F(LuaCpuBudgetTest, EveryRunHasItsWholeBudget) {
  for (int run = 0; run < 300; ++run) {
    ASSERT_TRUE(sandbox_.RunChunk("local s = 0 for i = 1, 100 do s = s + i end return s", {}, {})
                    .ok());
  }
  EXPECT_EQ(Error("return string.find(string.rep('a', 100000), '.-.-.-.-.-.-b')"), kExceeded);
}

// Inside a SharedCpuBudget (the one Advance holds over the steps it runs back to back) a run
// arms no timer of its own: it has what is left of the shared budget, stops when that is spent,
// and says the budget was shared. Afterwards each run has its own whole budget again.
TEST_F(LuaCpuBudgetTest, RunsInsideASharedBudgetHaveWhatIsLeftOfIt) {
  constexpr const char* kSharedExceeded =
      "code step exceeded its CPU budget of 200 ms, shared by the steps run since the run's last "
      "pause";
  constexpr const char* kStall = "return string.find(string.rep('a', 100000), '.-.-.-.-.-.-b')";
  LuaSandbox sandbox(LuaLimits{.max_instructions = 100'000'000,
                               .max_memory_bytes = 64u << 20,
                               .max_cpu = std::chrono::milliseconds(200)});
  {
    internal::SharedCpuBudget shared(std::chrono::milliseconds(200));
    Result<json::value> quick = sandbox.RunChunk("return 1", {}, {});
    ASSERT_TRUE(quick.ok()) << quick.status().ToString();
    // 150 ms of the budget spent outside Lua: the run has the 50 left, not 200 of its own.
    const int64_t spent_from = ThreadCpuMs();
    while (ThreadCpuMs() - spent_from < 150) {
    }
    const int64_t run_from = ThreadCpuMs();
    Result<json::value> stalled = sandbox.RunChunk(kStall, {}, {});
    const int64_t run_ms = ThreadCpuMs() - run_from;
    ASSERT_FALSE(stalled.ok());
    EXPECT_EQ(stalled.status().message(), kSharedExceeded);
    EXPECT_LT(run_ms, 150) << "the run had its own budget, not what was left of the shared one";
    // The run saw the timer run out; its signal (which a sanitizer may hold back until the
    // thread next calls libc) tells the shared budget.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!shared.Exceeded() && std::chrono::steady_clock::now() < give_up) {
    }
    ASSERT_TRUE(shared.Exceeded()) << "the spent shared budget's signal did not arrive in 10 s";
    Result<json::value> late = sandbox.RunChunk("return 1", {}, {});  // spent before it began
    ASSERT_FALSE(late.ok());
    EXPECT_EQ(late.status().message(), kSharedExceeded);
  }
  Result<json::value> quick = sandbox.RunChunk("return 1", {}, {});
  ASSERT_TRUE(quick.ok()) << quick.status().ToString();
  const int64_t run_from = ThreadCpuMs();
  Result<json::value> stalled = sandbox.RunChunk(kStall, {}, {});
  ASSERT_FALSE(stalled.ok());
  EXPECT_EQ(stalled.status().message(), "code step exceeded its CPU budget of 200 ms");
  EXPECT_GE(ThreadCpuMs() - run_from, 200);
}

// A run whose own budget is smaller than the shared one keeps its own, by the clock.
TEST_F(LuaCpuBudgetTest, ARunWithASmallerBudgetThanTheSharedOneKeepsItsOwn) {
  internal::SharedCpuBudget shared(std::chrono::seconds(60));
  EXPECT_EQ(Error("return string.find(string.rep('a', 100000), '.-.-.-.-.-.-b')"), kExceeded);
}

// The shared budget counts all the thread's work, not only Lua's; none at all is no budget.
TEST(SharedCpuBudgetTest, CountsTheThreadsWorkOutsideLua) {
  internal::SharedCpuBudget none(std::chrono::milliseconds(0));
  internal::SharedCpuBudget shared(std::chrono::milliseconds(20));
  EXPECT_FALSE(shared.Exceeded());
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!shared.Exceeded() && std::chrono::steady_clock::now() < give_up) {
  }
  EXPECT_TRUE(shared.Exceeded()) << "20 ms of CPU went unnoticed for 10 s";
  EXPECT_FALSE(none.Exceeded());
}

TEST_F(LuaCpuBudgetTest, ConditionsHaveTheBudgetToo) {
  Result<bool> result = sandbox_.EvaluateCondition(
      "string.find(string.rep('a', 100000), '.-.-.-.-.-.-b')", {}, {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "condition exceeded its CPU budget of 50 ms");
}

}  // namespace
}  // namespace assent::engine
