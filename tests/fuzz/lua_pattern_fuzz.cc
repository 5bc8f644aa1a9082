// The sandbox's pattern functions (engine/internal/lua_pattern.h through
// lua_metered_library.h) against stock Lua's: the input is a subject, a newline, and a
// pattern. Property: every call of find, match, gmatch and gsub (tests/engine/
// lua_pattern_differential.h) gives the same results and errors in both, whenever ours finishes
// within a small step budget (then stock, which explores the same backtracking tree, finishes
// too; when ours runs out, stock is not run).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tests/engine/lua_pattern_differential.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static assent::engine::testing::PatternDifferential differential(64);
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  auto results = differential.Compare(input.substr(0, newline), input.substr(newline + 1));
  if (!results) return 0;
  if (results->ours != results->stock) {
    assent::fuzz::PropertyFailed(__FILE__, __LINE__, "ours == stock",
                                 "\nours:\n" + results->ours + "\nstock:\n" + results->stock);
  }
  return 0;
}
