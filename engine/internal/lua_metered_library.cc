#include "engine/internal/lua_metered_library.h"

#include <cstring>
#include <string_view>

// Every function here runs as a Lua C function: errors are longjmps, so no frame holds an object
// with a destructor (PatternMatcher has none). Argument checks use lauxlib, so errors read as the
// stock library's do ("bad argument #2 to 'find' ...").
namespace assent::engine::internal {
namespace {

// Table functions poll the meter every this many elements.
constexpr lua_Integer kElementsPerCheck = 1024;

LuaMeter* MeterOf(lua_State* L) {
  return static_cast<LuaMeter*>(lua_touserdata(L, lua_upvalueindex(1)));
}

// Stops the run if the budget is spent. Returns normally otherwise.
void Poll(lua_State* L, LuaMeter* meter) {
  if (!meter->MayContinue()) meter->Stop(L);
}

// A relative string position (negative counts from the end) as a 1-based position clamped to
// [1, inf): the manual's rule for the init arguments of find, match, gmatch.
size_t StartPosition(lua_Integer position, size_t length) {
  if (position > 0) return static_cast<size_t>(position);
  if (position == 0) return 1;
  if (position < -static_cast<lua_Integer>(length)) return 1;
  return static_cast<size_t>(static_cast<lua_Integer>(length) + position + 1);
}

// ---- Patterns ----

// Pushes capture i of the match [start, end); the whole match when the pattern has no captures.
void PushCapture(lua_State* L, const PatternMatcher& matcher, std::string_view subject, int i,
                 size_t start, size_t end) {
  if (i >= matcher.capture_count()) {
    if (i != 0) luaL_error(L, "invalid capture index %%%d", i + 1);
    lua_pushlstring(L, subject.data() + start, end - start);
    return;
  }
  const PatternCapture& capture = matcher.capture(i);
  if (capture.length == PatternCapture::kOpen) luaL_error(L, "unfinished capture");
  if (capture.length == PatternCapture::kPosition) {
    lua_pushinteger(L, static_cast<lua_Integer>(capture.start) + 1);
  } else {
    lua_pushlstring(L, subject.data() + capture.start, static_cast<size_t>(capture.length));
  }
}

// Pushes every capture (or the whole match when there are none and `whole` is set).
int PushCaptures(lua_State* L, const PatternMatcher& matcher, std::string_view subject,
                 size_t start, size_t end, bool whole) {
  const int count = matcher.capture_count() == 0 && whole ? 1 : matcher.capture_count();
  luaL_checkstack(L, count, "too many captures");
  for (int i = 0; i < count; ++i) PushCapture(L, matcher, subject, i, start, end);
  return count;
}

// Runs one attempt and turns errors into Lua errors. True on a match.
bool MatchAt(lua_State* L, LuaMeter* meter, PatternMatcher& matcher, size_t at,
             size_t pattern_start) {
  switch (matcher.MatchAt(at, pattern_start)) {
    case PatternOutcome::kMatch: return true;
    case PatternOutcome::kNoMatch: return false;
    case PatternOutcome::kError: luaL_error(L, "%s", matcher.error()); return false;
    case PatternOutcome::kOutOfBudget: meter->Stop(L); return false;
  }
  return false;
}

std::string_view CheckString(lua_State* L, int arg) {
  size_t length = 0;
  const char* data = luaL_checklstring(L, arg, &length);
  return std::string_view(data, length);
}

// string.find (find = true) and string.match.
int FindOrMatch(lua_State* L, bool find) {
  LuaMeter* meter = MeterOf(L);
  const std::string_view subject = CheckString(L, 1);
  const std::string_view pattern = CheckString(L, 2);
  const size_t init = StartPosition(luaL_optinteger(L, 3, 1), subject.size()) - 1;
  if (init > subject.size()) {
    lua_pushnil(L);
    return 1;
  }
  if (find && (lua_toboolean(L, 4) || HasNoPatternSpecials(pattern))) {
    // A plain search: memmem is linear in glibc (two-way), unlike a naive scan.
    const void* found = pattern.empty() ? subject.data() + init
                                        : memmem(subject.data() + init, subject.size() - init,
                                                 pattern.data(), pattern.size());
    if (found == nullptr) {
      lua_pushnil(L);
      return 1;
    }
    const auto at = static_cast<lua_Integer>(static_cast<const char*>(found) - subject.data());
    lua_pushinteger(L, at + 1);
    lua_pushinteger(L, at + static_cast<lua_Integer>(pattern.size()));
    return 2;
  }
  const bool anchored = !pattern.empty() && pattern[0] == '^';
  const size_t pattern_start = anchored ? 1 : 0;
  PatternMatcher matcher(subject, pattern, *meter);
  for (size_t at = init; at <= subject.size(); ++at) {
    if (MatchAt(L, meter, matcher, at, pattern_start)) {
      if (!find) return PushCaptures(L, matcher, subject, at, matcher.end(), true);
      lua_pushinteger(L, static_cast<lua_Integer>(at) + 1);
      lua_pushinteger(L, static_cast<lua_Integer>(matcher.end()));
      return 2 + PushCaptures(L, matcher, subject, at, matcher.end(), false);
    }
    if (anchored) break;
  }
  lua_pushnil(L);
  return 1;
}

int Find(lua_State* L) { return FindOrMatch(L, true); }
int Match(lua_State* L) { return FindOrMatch(L, false); }

// The gmatch iterator. Upvalues: meter, subject, pattern, next start, end of the last match (-1
// before the first).
int GmatchNext(lua_State* L) {
  LuaMeter* meter = MeterOf(L);
  size_t length = 0;
  const char* data = lua_tolstring(L, lua_upvalueindex(2), &length);
  const std::string_view subject(data, length);
  data = lua_tolstring(L, lua_upvalueindex(3), &length);
  const std::string_view pattern(data, length);
  const auto next = static_cast<size_t>(lua_tointeger(L, lua_upvalueindex(4)));
  const lua_Integer last_end = lua_tointeger(L, lua_upvalueindex(5));
  // In gmatch a leading '^' is an ordinary character: an anchor would stop the iteration.
  PatternMatcher matcher(subject, pattern, *meter);
  for (size_t at = next; at <= subject.size(); ++at) {
    if (MatchAt(L, meter, matcher, at, 0) &&
        static_cast<lua_Integer>(matcher.end()) != last_end) {
      lua_pushinteger(L, static_cast<lua_Integer>(matcher.end()));
      lua_copy(L, -1, lua_upvalueindex(4));
      lua_replace(L, lua_upvalueindex(5));
      return PushCaptures(L, matcher, subject, at, matcher.end(), true);
    }
  }
  lua_pushinteger(L, static_cast<lua_Integer>(subject.size()) + 1);
  lua_replace(L, lua_upvalueindex(4));
  return 0;
}

int Gmatch(lua_State* L) {
  const std::string_view subject = CheckString(L, 1);
  CheckString(L, 2);
  size_t init = StartPosition(luaL_optinteger(L, 3, 1), subject.size()) - 1;
  if (init > subject.size()) init = subject.size() + 1;
  lua_settop(L, 2);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);  // meter, subject, pattern
  lua_pushinteger(L, static_cast<lua_Integer>(init));
  lua_pushinteger(L, -1);
  lua_pushcclosure(L, GmatchNext, 5);
  return 1;
}

// Appends gsub's replacement for the match [start, end) to `buffer`.
void AddReplacement(lua_State* L, luaL_Buffer* buffer, const PatternMatcher& matcher,
                    std::string_view subject, size_t start, size_t end) {
  const int kind = lua_type(L, 3);
  if (kind == LUA_TNUMBER || kind == LUA_TSTRING) {
    size_t length = 0;
    const char* text = lua_tolstring(L, 3, &length);
    const std::string_view replacement(text, length);
    for (size_t i = 0; i < replacement.size(); ++i) {
      if (replacement[i] != '%') {
        luaL_addchar(buffer, replacement[i]);
        continue;
      }
      ++i;  // the character after '%'; past the end it reads as the string's terminating '\0'
      const char escaped = i < replacement.size() ? replacement[i] : '\0';
      if (escaped == '%') {
        luaL_addchar(buffer, '%');
      } else if (escaped == '0') {
        luaL_addlstring(buffer, subject.data() + start, end - start);
      } else if (escaped >= '1' && escaped <= '9') {
        PushCapture(L, matcher, subject, escaped - '1', start, end);
        luaL_tolstring(L, -1, nullptr);  // a position capture is a number
        lua_remove(L, -2);
        luaL_addvalue(buffer);
      } else {
        luaL_error(L, "invalid use of '%c' in replacement string", '%');
      }
    }
    return;
  }
  if (kind == LUA_TFUNCTION) {
    lua_pushvalue(L, 3);
    const int count = PushCaptures(L, matcher, subject, start, end, true);
    lua_call(L, count, 1);
  } else {  // a table, checked by Gsub
    PushCapture(L, matcher, subject, 0, start, end);
    lua_gettable(L, 3);
  }
  if (!lua_toboolean(L, -1)) {  // nil or false: keep the match
    lua_pop(L, 1);
    luaL_addlstring(buffer, subject.data() + start, end - start);
  } else if (!lua_isstring(L, -1)) {
    luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
  } else {
    luaL_addvalue(buffer);
  }
}

int Gsub(lua_State* L) {
  LuaMeter* meter = MeterOf(L);
  const std::string_view subject = CheckString(L, 1);
  const std::string_view pattern = CheckString(L, 2);
  const int kind = lua_type(L, 3);
  luaL_argexpected(L,
                   kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION ||
                       kind == LUA_TTABLE,
                   3, "string/function/table");
  const lua_Integer max_replacements =
      luaL_optinteger(L, 4, static_cast<lua_Integer>(subject.size()) + 1);
  const bool anchored = !pattern.empty() && pattern[0] == '^';
  const size_t pattern_start = anchored ? 1 : 0;

  luaL_Buffer buffer;
  luaL_buffinit(L, &buffer);
  PatternMatcher matcher(subject, pattern, *meter);
  size_t at = 0;
  lua_Integer last_end = -1;
  lua_Integer replacements = 0;
  bool changed = false;
  while (replacements < max_replacements) {
    if (MatchAt(L, meter, matcher, at, pattern_start) &&
        static_cast<lua_Integer>(matcher.end()) != last_end) {
      ++replacements;
      changed = true;
      AddReplacement(L, &buffer, matcher, subject, at, matcher.end());
      at = matcher.end();
      last_end = static_cast<lua_Integer>(at);
    } else if (at < subject.size()) {
      luaL_addchar(&buffer, subject[at++]);
    } else {
      break;
    }
    if (anchored) break;
  }
  if (!changed) {
    lua_pushvalue(L, 1);  // the subject itself, not a copy
  } else {
    luaL_addlstring(&buffer, subject.data() + at, subject.size() - at);
    luaL_pushresult(&buffer);
  }
  lua_pushinteger(L, replacements);
  return 2;
}

// ---- string.rep ----

// Upvalues: meter, the stock string.rep.
int Rep(lua_State* L) {
  size_t length = 0;
  size_t separator_length = 0;
  luaL_checklstring(L, 1, &length);
  const lua_Integer count = luaL_checkinteger(L, 2);
  luaL_optlstring(L, 3, "", &separator_length);
  if (count > 0 && length == 0 && separator_length == 0) {
    lua_pushliteral(L, "");
    return 1;
  }
  lua_pushvalue(L, lua_upvalueindex(2));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

// ---- table.insert, remove, move (§6.6) ----

enum TableUse { kRead = 1, kWrite = 2, kLength = 4 };

// Argument `arg` must be a table, or have the metamethods for what the function does with it.
void CheckTable(lua_State* L, int arg, int uses) {
  if (lua_type(L, arg) == LUA_TTABLE) return;
  bool ok = lua_getmetatable(L, arg) != 0;
  if (ok) {
    const int metatable = lua_gettop(L);
    for (const auto& [use, field] : {std::pair{kRead, "__index"}, std::pair{kWrite, "__newindex"},
                                     std::pair{kLength, "__len"}}) {
      if ((uses & use) == 0) continue;
      lua_pushstring(L, field);
      if (lua_rawget(L, metatable) == LUA_TNIL) ok = false;
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  if (!ok) luaL_checktype(L, arg, LUA_TTABLE);  // raises "table expected"
}

lua_Integer CheckedLength(lua_State* L, int arg, int uses) {
  CheckTable(L, arg, uses | kLength);
  return luaL_len(L, arg);
}

// Sets t[to] = t[from] (or `destination`[to]), polling the meter every kElementsPerCheck moves.
void MoveElement(lua_State* L, LuaMeter* meter, int source, lua_Integer from, int destination,
                 lua_Integer to, lua_Integer done) {
  if (done % kElementsPerCheck == kElementsPerCheck - 1) Poll(L, meter);
  lua_geti(L, source, from);
  lua_seti(L, destination, to);
}

int Insert(lua_State* L) {
  LuaMeter* meter = MeterOf(L);
  const lua_Integer first_empty = luaL_intop(+, CheckedLength(L, 1, kRead | kWrite), 1);
  lua_Integer position = first_empty;
  switch (lua_gettop(L)) {
    case 2: break;
    case 3: {
      position = luaL_checkinteger(L, 2);
      luaL_argcheck(L, static_cast<lua_Unsigned>(position) - 1u <
                           static_cast<lua_Unsigned>(first_empty),
                    2, "position out of bounds");
      lua_Integer done = 0;
      for (lua_Integer i = first_empty; i > position; --i) {
        MoveElement(L, meter, 1, i - 1, 1, i, done++);
      }
      break;
    }
    default: return luaL_error(L, "wrong number of arguments to 'insert'");
  }
  lua_seti(L, 1, position);
  return 0;
}

int Remove(lua_State* L) {
  LuaMeter* meter = MeterOf(L);
  const lua_Integer size = CheckedLength(L, 1, kRead | kWrite);
  lua_Integer position = luaL_optinteger(L, 2, size);
  if (position != size) {
    luaL_argcheck(L, static_cast<lua_Unsigned>(position) - 1u <= static_cast<lua_Unsigned>(size),
                  2, "position out of bounds");
  }
  lua_geti(L, 1, position);  // the result
  lua_Integer done = 0;
  for (; position < size; ++position) MoveElement(L, meter, 1, position + 1, 1, position, done++);
  lua_pushnil(L);
  lua_seti(L, 1, position);
  return 1;
}

int Move(lua_State* L) {
  LuaMeter* meter = MeterOf(L);
  const lua_Integer first = luaL_checkinteger(L, 2);
  const lua_Integer last = luaL_checkinteger(L, 3);
  const lua_Integer to = luaL_checkinteger(L, 4);
  const int destination = lua_isnoneornil(L, 5) ? 1 : 5;
  CheckTable(L, 1, kRead);
  CheckTable(L, destination, kWrite);
  if (last >= first) {
    luaL_argcheck(L, first > 0 || last < LUA_MAXINTEGER + first, 3, "too many elements to move");
    const lua_Integer count = last - first + 1;
    luaL_argcheck(L, to <= LUA_MAXINTEGER - count + 1, 4, "destination wrap around");
    // Overlapping ranges of one table move from the end, so nothing is read after it was
    // overwritten.
    const bool forward =
        to > last || to <= first || (destination != 1 && !lua_compare(L, 1, destination, LUA_OPEQ));
    for (lua_Integer i = 0; i < count; ++i) {
      const lua_Integer k = forward ? i : count - 1 - i;
      MoveElement(L, meter, 1, first + k, destination, to + k, i);
    }
  }
  lua_pushvalue(L, destination);
  return 1;
}

// ---- table.sort ----

// The comparator handed to the stock sort. Upvalues: meter, the script's comparator or nil.
int MeteredLessThan(lua_State* L) {
  Poll(L, MeterOf(L));
  if (lua_isnil(L, lua_upvalueindex(2))) {
    lua_pushboolean(L, lua_compare(L, 1, 2, LUA_OPLT));
    return 1;
  }
  lua_pushvalue(L, lua_upvalueindex(2));
  lua_insert(L, 1);
  lua_call(L, 2, 1);
  return 1;
}

// Upvalues: meter, the stock table.sort.
int Sort(lua_State* L) {
  if (!lua_isnoneornil(L, 2) && lua_type(L, 2) != LUA_TFUNCTION) {
    // Not a comparator: the stock sort says so (or, for a list too short to compare, nothing).
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 0);
    return 0;
  }
  lua_settop(L, 2);
  lua_pushvalue(L, lua_upvalueindex(2));  // sort
  lua_pushvalue(L, 1);                    // the list
  lua_pushvalue(L, lua_upvalueindex(1));  // the meter
  lua_pushvalue(L, 2);                    // the script's comparator, or nil
  lua_pushcclosure(L, MeteredLessThan, 2);
  lua_call(L, 2, 0);
  return 0;
}

// library[name] = closure(fn, meter [, the library's current library[name]]).
void Replace(lua_State* L, int library, const char* name, lua_CFunction fn, LuaMeter* meter,
             bool wraps_stock) {
  lua_pushlightuserdata(L, meter);
  if (wraps_stock) lua_getfield(L, library, name);
  lua_pushcclosure(L, fn, wraps_stock ? 2 : 1);
  lua_setfield(L, library, name);
}

}  // namespace

void InstallMeteredLibrary(lua_State* L, int globals, LuaMeter* meter) {
  lua_getfield(L, globals, LUA_STRLIBNAME);
  const int string_library = lua_gettop(L);
  Replace(L, string_library, "find", Find, meter, false);
  Replace(L, string_library, "match", Match, meter, false);
  Replace(L, string_library, "gmatch", Gmatch, meter, false);
  Replace(L, string_library, "gsub", Gsub, meter, false);
  Replace(L, string_library, "rep", Rep, meter, true);
  lua_getfield(L, globals, LUA_TABLIBNAME);
  const int table_library = lua_gettop(L);
  Replace(L, table_library, "insert", Insert, meter, false);
  Replace(L, table_library, "remove", Remove, meter, false);
  Replace(L, table_library, "move", Move, meter, false);
  Replace(L, table_library, "sort", Sort, meter, true);
  lua_pop(L, 2);
}

}  // namespace assent::engine::internal
