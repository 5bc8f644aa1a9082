// Conversion between boost::json values and Lua values, for LuaSandbox.
//
// JSON -> Lua: int64 -> integer, uint64 -> integer if it fits else float, double -> float,
// null -> nil, arrays -> tables indexed 1..n, objects -> tables keyed by string.
// Lua -> JSON: nil -> null, integer -> int64, float -> double (NaN and infinities refused),
// a table with keys exactly 1..n -> array, with only string keys -> object, empty -> {}.
// Anything else (functions, userdata, threads, mixed or non-sequence keys) is an error that
// names where in the value it was found.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <lua.hpp>

#include "base/status.h"

namespace assent::engine::internal {

// Deepest nesting converted in either direction. Deeper is an error, which is also what stops
// a Lua table that contains itself from recursing forever.
inline constexpr int kMaxLuaJsonDepth = 64;

// Pushes `object` onto the Lua stack as a table.
// REQUIRES: running inside a protected call. Raises a Lua error (a longjmp) when memory runs
// out or the value nests deeper than kMaxLuaJsonDepth, so every frame between here and the
// protected call must be free of non-trivial destructors.
void PushJsonObject(lua_State* L, const boost::json::object& object);

// Converts the Lua value at `index`, reading tables raw (metatables are ignored). Uses only
// API calls that cannot raise Lua errors, so it is safe outside a protected call. Leaves the
// stack as it found it.
Result<boost::json::value> LuaToJson(lua_State* L, int index);

}  // namespace assent::engine::internal
