// LuaSandbox: runs the Lua 5.4 of `code` steps and `condition` expressions with no access to
// the outside world (no io, os, require, load, dofile, loadfile, debug, package) and bounded
// instructions, memory and CPU time. A run past any limit fails with a message naming it
// ("code step exceeded its CPU budget of 100 ms"), even if the script caught the error.
//
// A script sees two globals: `input` (the run's input) and `steps` (completed steps' outputs
// by id), converted from JSON to Lua tables when the script first reads them (so
// `rawget(_G, "input")` and `pairs(_G)` find them only after a read). A code step's return
// value is converted back to JSON (nil -> null; a table with keys 1..n -> array, else object;
// functions and other non-data values are an error).
//
// Thread safety: one LuaSandbox per thread; it reuses compiled chunks between calls.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "base/status.h"

namespace assent::engine {

struct LuaLimits {
  uint64_t max_instructions = 10'000'000;
  size_t max_memory_bytes = 32u << 20;
  // CPU time of the running thread, conversion of the input included. 0: unlimited.
  std::chrono::milliseconds max_cpu{100};
};

class LuaSandbox {
 public:
  explicit LuaSandbox(LuaLimits limits);
  ~LuaSandbox();
  LuaSandbox(const LuaSandbox&) = delete;
  LuaSandbox& operator=(const LuaSandbox&) = delete;

  // Compiles without running: kInvalidArgument carrying Lua's syntax error.
  static Status CheckChunk(std::string_view code);
  static Status CheckExpression(std::string_view expression);

  // Runs a chunk (`return {...}`) and converts what it returns. Errors (runtime error,
  // instruction or memory limit, unconvertible result) are kInvalidArgument with the reason.
  Result<boost::json::value> RunChunk(std::string_view code, const boost::json::object& input,
                                      const boost::json::object& steps);
  // Evaluates an expression for Lua truthiness (nil and false are false). A tool gate's
  // condition also sees the call it is about as `request`, and the fields of its JSON object
  // body by name ("amount > 5000"), hiding library names but not input, steps or request.
  Result<bool> EvaluateCondition(std::string_view expression, const boost::json::object& input,
                                 const boost::json::object& steps,
                                 const boost::json::object* request = nullptr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace assent::engine
