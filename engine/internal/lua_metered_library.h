// The sandbox's versions of the library functions that can work without bound inside one C call,
// out of sight of the instruction hook and the CPU timer's stop (which both act only between
// instructions and at function calls):
// - string.find, match, gmatch, gsub: patterns backtrack, exponentially in the worst case; these
//   use PatternMatcher (lua_pattern.h), metered, with the stock functions' results and errors;
// - string.rep: with an empty string and separator the stock loop spins n times (n up to 2^63)
//   to build ""; this returns "" at once;
// - table.insert, remove, move: shift elements one by one up to a length that `__len` or a
//   sparse table can make 2^62 with no memory behind it; these are the manual's (§6.6) loops,
//   metered;
// - table.sort: O(n log n) comparisons of up to millions of elements without a call the hook
//   sees; this passes the stock sort a comparator of its own that meters each comparison and
//   calls the script's comparator, if any.
// Everything else reachable from the sandbox does work bounded by the size of its arguments
// (themselves bounded by the memory limit) before the interpreter runs again.
#pragma once

#include <lua.hpp>

#include "engine/internal/lua_pattern.h"

namespace assent::engine::internal {

// What the metered functions consult. MayContinue is polled as they go (cheaply: it may read a
// clock); once it returns false the function calls Stop, which raises the error that ends the
// run (a longjmp) and must make sure the run cannot carry on by catching it.
class LuaMeter : public PatternMeter {
 public:
  virtual int Stop(lua_State* L) = 0;

 protected:
  ~LuaMeter() = default;
};

// Replaces the functions above in the string and table libraries of `L`.
// REQUIRES: inside a protected call, before the library tables are made read-only, with the
// globals table at stack index `globals`; `meter` outlives the state.
void InstallMeteredLibrary(lua_State* L, int globals, LuaMeter* meter);

}  // namespace assent::engine::internal
