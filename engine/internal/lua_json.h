// Conversion between boost::json values and Lua values, for LuaSandbox.
//
// JSON -> Lua: int64 -> integer, uint64 -> integer if it fits else float, double -> float,
// null -> nil, arrays -> tables indexed 1..n, objects -> tables keyed by string.
// Lua -> JSON: nil -> null, integer -> int64, float -> double (NaN and infinities refused),
// a table with keys exactly 1..n -> array, with only string keys -> object, empty -> {}.
// Anything else is an error that names where in the value it was found, never a value of
// another type: functions, userdata and threads; NaN and infinities (0/0, 1/0, math.huge);
// strings and keys that are not UTF-8; tables that mix integer and string keys, have gaps
// ({[1]=1, [3]=3}), keys below 1, float or other non-string keys; a table that contains itself;
// nesting deeper than kMaxJsonOutputDepth; a result larger than the caller's byte limit (a table
// may hold the same subtable many times, so a small Lua value can stand for a huge document).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <lua.hpp>

#include "base/status.h"

namespace assent::engine::internal {

// Deepest nesting of input converted to Lua. Deeper is an error.
inline constexpr int kMaxLuaJsonDepth = 64;
// Deepest nesting of a result converted to JSON: as deep as request bodies may nest, and what the
// engine's JSON parser accepts by default, so a result stored as JSON text reads back as it was.
inline constexpr int kMaxJsonOutputDepth = 32;

// Pushes `object` onto the Lua stack as a table; errors call it `name` ("input nested deeper
// than 64 levels").
// REQUIRES: running inside a protected call. Raises a Lua error (a longjmp) when memory runs
// out or the value nests deeper than kMaxLuaJsonDepth, so every frame between here and the
// protected call must be free of non-trivial destructors.
void PushJsonObject(lua_State* L, const boost::json::object& object, const char* name);

// Converts the Lua value at `index`, reading tables raw (metatables are ignored); fails when its
// JSON text would be longer than about `max_bytes`. Uses only API calls that cannot raise Lua
// errors, so it is safe outside a protected call. Leaves the stack as it found it.
Result<boost::json::value> LuaToJson(lua_State* L, int index, size_t max_bytes);

}  // namespace assent::engine::internal
