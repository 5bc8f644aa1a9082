#include "engine/internal/lua_json.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/string.hpp>
#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "base/utf8.h"

namespace assent::engine::internal {
namespace {

namespace json = boost::json;

// ---- JSON -> Lua. Runs under lua_pcall and may longjmp: no locals with destructors. ----

void PushJson(lua_State* L, const json::value& value, int depth, const char* name);

int SizeHint(size_t size) { return size > INT_MAX ? INT_MAX : static_cast<int>(size); }

void PushObject(lua_State* L, const json::object& object, int depth, const char* name) {
  lua_createtable(L, 0, SizeHint(object.size()));
  for (const json::key_value_pair& member : object) {
    // A nil value would not be stored anyway; skipping saves the push.
    if (member.value().is_null()) continue;
    lua_pushlstring(L, member.key().data(), member.key().size());
    PushJson(L, member.value(), depth + 1, name);
    lua_rawset(L, -3);
  }
}

void PushJson(lua_State* L, const json::value& value, int depth, const char* name) {
  if (depth > kMaxLuaJsonDepth) {
    luaL_error(L, "%s nested deeper than %d levels", name, kMaxLuaJsonDepth);
  }
  luaL_checkstack(L, 3, name);
  switch (value.kind()) {
    case json::kind::null:
      lua_pushnil(L);
      return;
    case json::kind::bool_:
      lua_pushboolean(L, value.get_bool() ? 1 : 0);
      return;
    case json::kind::int64:
      lua_pushinteger(L, static_cast<lua_Integer>(value.get_int64()));
      return;
    case json::kind::uint64: {
      const uint64_t u = value.get_uint64();
      if (u <= static_cast<uint64_t>(std::numeric_limits<lua_Integer>::max())) {
        lua_pushinteger(L, static_cast<lua_Integer>(u));
      } else {
        lua_pushnumber(L, static_cast<lua_Number>(u));
      }
      return;
    }
    case json::kind::double_:
      lua_pushnumber(L, value.get_double());
      return;
    case json::kind::string: {
      const json::string& s = value.get_string();
      lua_pushlstring(L, s.data(), s.size());
      return;
    }
    case json::kind::array: {
      const json::array& array = value.get_array();
      lua_createtable(L, SizeHint(array.size()), 0);
      lua_Integer i = 1;
      for (const json::value& element : array) {
        PushJson(L, element, depth + 1, name);
        lua_rawseti(L, -2, i++);
      }
      return;
    }
    case json::kind::object:
      PushObject(L, value.get_object(), depth, name);
      return;
  }
}

// ---- Lua -> JSON. Plain C++ that only calls non-raising Lua API functions. ----

struct ConversionError {
  std::string where;  // ".items[2].f", built innermost-first while unwinding
  std::string what;
};

// What a conversion has seen so far.
struct Conversion {
  ConversionError error;
  // The tables being converted, outermost first, to tell a table that contains itself.
  std::vector<const void*> path;
  size_t bytes_left = 0;  // of the JSON text the result will be, counted roughly

  bool Spend(size_t bytes) {
    if (bytes > bytes_left) {
      error.what = "the result is larger than the limit for a step's output";
      return false;
    }
    bytes_left -= bytes;
    return true;
  }
};

bool ToJson(lua_State* L, int index, int depth, json::value& out, Conversion& conversion);

bool ArrayToJson(lua_State* L, int table, lua_Integer count, int depth, json::value& out,
                 Conversion& conversion) {
  ConversionError& error = conversion.error;
  json::array& array = out.emplace_array();
  array.reserve(static_cast<size_t>(count));
  for (lua_Integer i = 1; i <= count; ++i) {
    lua_rawgeti(L, table, i);
    json::value& element = array.emplace_back(nullptr);
    if (!ToJson(L, lua_gettop(L), depth + 1, element, conversion)) {
      error.where.insert(0, "[" + std::to_string(i) + "]");
      return false;
    }
    lua_pop(L, 1);
  }
  return true;
}

bool ObjectToJson(lua_State* L, int table, int depth, json::value& out, Conversion& conversion) {
  ConversionError& error = conversion.error;
  json::object& object = out.emplace_object();
  lua_pushnil(L);
  while (lua_next(L, table) != 0) {
    // Keys were checked to be strings, so lua_tolstring reads them without converting (a
    // conversion would confuse lua_next and could allocate).
    size_t length = 0;
    const char* key = lua_tolstring(L, -2, &length);
    if (!IsValidUtf8(std::string_view(key, length))) {
      error.what = "a key that is not UTF-8 has no JSON form";
      return false;
    }
    if (!conversion.Spend(length + 4)) return false;
    json::value& member = object[json::string_view(key, length)];
    if (!ToJson(L, lua_gettop(L), depth + 1, member, conversion)) {
      error.where.insert(0, "." + std::string(key, length));
      return false;
    }
    lua_pop(L, 1);
  }
  return true;
}

bool TableToJson(lua_State* L, int table, int depth, json::value& out, Conversion& conversion) {
  ConversionError& error = conversion.error;
  const void* identity = lua_topointer(L, table);
  if (std::find(conversion.path.begin(), conversion.path.end(), identity) !=
      conversion.path.end()) {
    error.what = "a table that contains itself has no JSON form";
    return false;
  }
  if (depth >= kMaxJsonOutputDepth) {
    error.what = "nested deeper than " + std::to_string(kMaxJsonOutputDepth) + " levels";
    return false;
  }
  // lua_checkstack reports failure instead of raising, unlike luaL_checkstack.
  if (lua_checkstack(L, 4) == 0) {
    error.what = "out of Lua stack space";
    return false;
  }
  // First pass: the keys decide between array and object.
  lua_Integer count = 0;
  lua_Integer max_key = 0;
  bool has_integer_keys = false;
  bool has_string_keys = false;
  lua_pushnil(L);
  while (lua_next(L, table) != 0) {
    lua_pop(L, 1);  // the value; the key stays for lua_next
    const int key_type = lua_type(L, -1);
    if (key_type == LUA_TSTRING) {
      has_string_keys = true;
    } else if (key_type == LUA_TNUMBER && lua_isinteger(L, -1)) {
      has_integer_keys = true;
      const lua_Integer key = lua_tointeger(L, -1);
      if (key < 1) {
        error.what = "array key " + std::to_string(key) + " is below 1";
        return false;
      }
      if (key > max_key) max_key = key;
    } else if (key_type == LUA_TNUMBER) {
      error.what = "table has a non-integer number key (" + std::to_string(lua_tonumber(L, -1)) +
                   "); JSON keys are strings";
      return false;
    } else {
      error.what = std::string("table has a key of type ") + lua_typename(L, key_type) +
                   "; JSON keys are strings";
      return false;
    }
    ++count;
  }
  if (has_integer_keys && has_string_keys) {
    error.what = "table mixes integer and string keys; use either 1..n or only strings";
    return false;
  }
  if (has_integer_keys && max_key != count) {
    error.what = "table with integer keys is not a sequence 1.." + std::to_string(count) +
                 " (largest key " + std::to_string(max_key) + ")";
    return false;
  }
  conversion.path.push_back(identity);
  const bool converted = has_integer_keys ? ArrayToJson(L, table, count, depth, out, conversion)
                                          : ObjectToJson(L, table, depth, out, conversion);
  conversion.path.pop_back();
  return converted;  // an empty table is {}
}

bool ToJson(lua_State* L, int index, int depth, json::value& out, Conversion& conversion) {
  ConversionError& error = conversion.error;
  const int type = lua_type(L, index);
  // Scalars count a few bytes each, strings their length besides.
  if (!conversion.Spend(8)) return false;
  switch (type) {
    case LUA_TNIL:
      out = nullptr;
      return true;
    case LUA_TBOOLEAN:
      out = lua_toboolean(L, index) != 0;
      return true;
    case LUA_TNUMBER: {
      if (lua_isinteger(L, index)) {
        out = static_cast<int64_t>(lua_tointeger(L, index));
        return true;
      }
      const double number = lua_tonumber(L, index);
      if (!std::isfinite(number)) {
        error.what = "number " + std::to_string(number) + " has no JSON form";
        return false;
      }
      out = number;
      return true;
    }
    case LUA_TSTRING: {
      size_t length = 0;
      const char* data = lua_tolstring(L, index, &length);
      // Lua strings are bytes; JSON text must be UTF-8, or it would not parse back.
      if (!IsValidUtf8(std::string_view(data, length))) {
        error.what = "a string that is not UTF-8 has no JSON form";
        return false;
      }
      if (!conversion.Spend(length)) return false;
      out = json::string_view(data, length);
      return true;
    }
    case LUA_TTABLE:
      return TableToJson(L, index, depth, out, conversion);
    default:
      error.what = std::string("a ") + lua_typename(L, type) + " value has no JSON form";
      return false;
  }
}

}  // namespace

void PushJsonObject(lua_State* L, const boost::json::object& object, const char* name) {
  luaL_checkstack(L, 3, name);
  PushObject(L, object, 1, name);
}

Result<boost::json::value> LuaToJson(lua_State* L, int index, size_t max_bytes) {
  const int top = lua_gettop(L);
  const int absolute = lua_absindex(L, index);
  json::value out;
  Conversion conversion;
  conversion.bytes_left = max_bytes;
  ConversionError& error = conversion.error;
  bool ok = false;
  try {
    ok = ToJson(L, absolute, 0, out, conversion);
  } catch (const std::bad_alloc&) {
    error.what = "out of memory";
  }
  lua_settop(L, top);
  if (!ok) {
    return Status::InvalidArgument("cannot convert result" + error.where +
                                   " to JSON: " + error.what);
  }
  return out;
}

}  // namespace assent::engine::internal
