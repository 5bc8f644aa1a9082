// Runs the same calls of string.find, match, gmatch and gsub (every init, replacement kind and
// limit worth comparing) on one subject and pattern in a stock Lua state and in a state whose
// string library has the sandbox's metered functions (lua_metered_library.h), and describes
// every result and error message as text, so the two can be compared. Used by
// lua_pattern_test (fixed and random cases) and the lua_pattern_fuzz target.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct lua_State;

namespace assent::engine::testing {

struct PatternResults {
  std::string stock;
  std::string ours;
};

class PatternDifferential {
 public:
  // The metered functions may ask their meter this many times per Compare (each time is
  // kPatternStepsPerCheck steps) before they stop.
  explicit PatternDifferential(uint32_t max_checks);
  ~PatternDifferential();
  PatternDifferential(const PatternDifferential&) = delete;
  PatternDifferential& operator=(const PatternDifferential&) = delete;

  // Both descriptions, or nullopt when ours ran out of budget (stock is then not run: it
  // explores the same backtracking tree, so it would take about as long).
  std::optional<PatternResults> Compare(std::string_view subject, std::string_view pattern);

 private:
  struct CountingMeter;
  std::unique_ptr<CountingMeter> meter_;
  lua_State* stock_;
  lua_State* ours_;
};

}  // namespace assent::engine::testing
