#include "tests/engine/lua_pattern_differential.h"

#include <lua.hpp>

#include "engine/internal/lua_metered_library.h"

namespace assent::engine::testing {
namespace {

// Calls every function on (s, p) and describes each outcome: "tag|ok|count|type=value|...".
// The gmatch loops stop after 64 matches; replacement functions and tables exercise every
// capture kind (a position capture is a number key, `false` keeps the match).
constexpr char kHarness[] = R"lua(
local s, p = ...
local out = {}
local function rec(tag, ok, ...)
  local parts = {tag, tostring(ok), tostring(select('#', ...))}
  for i = 1, select('#', ...) do
    local v = select(i, ...)
    parts[#parts + 1] = type(v) .. '=' .. tostring(v)
  end
  out[#out + 1] = table.concat(parts, '|')
end
local function gm(init)
  local r = {}
  for a, b in string.gmatch(s, p, init) do
    r[#r + 1] = type(a) .. ':' .. tostring(a) .. '/' .. type(b) .. ':' .. tostring(b)
    if #r > 64 then break end
  end
  return table.concat(r, ';')
end
rec('find', pcall(string.find, s, p))
for _, i in ipairs({1, 2, 0, -1, -3, #s, #s + 1, #s + 2, -#s - 5}) do
  rec('find' .. i, pcall(string.find, s, p, i))
  rec('match' .. i, pcall(string.match, s, p, i))
end
rec('plain', pcall(string.find, s, p, 1, true))
rec('plain2', pcall(string.find, s, p, 2, true))
rec('match', pcall(string.match, s, p))
rec('gmatch', pcall(gm))
rec('gmatch2', pcall(gm, 2))
rec('gmatch-1', pcall(gm, -1))
rec('gsub', pcall(string.gsub, s, p, '<%0>'))
rec('gsub1', pcall(string.gsub, s, p, '[%1|%2]'))
rec('gsubpct', pcall(string.gsub, s, p, '%%-'))
rec('gsubbad', pcall(string.gsub, s, p, 'x%y'))
rec('gsubend', pcall(string.gsub, s, p, 'x%'))
rec('gsubn', pcall(string.gsub, s, p, '#', 2))
rec('gsubn0', pcall(string.gsub, s, p, '#', 0))
rec('gsubnum', pcall(string.gsub, s, p, 7))
rec('gsubt', pcall(string.gsub, s, p, {a = 'A', [''] = 'E', b = false, c = {}, [1] = 'one'}))
rec('gsubf', pcall(string.gsub, s, p, function(a, b)
  if a == 'b' then return nil end
  if a == 'c' then return false end
  if a == 'd' then return {} end
  return '(' .. tostring(a) .. ',' .. tostring(b) .. ')'
end))
return table.concat(out, '\n')
)lua";

std::string Describe(lua_State* L, std::string_view subject, std::string_view pattern) {
  lua_settop(L, 0);
  if (luaL_loadbufferx(L, kHarness, sizeof(kHarness) - 1, "=harness", "t") != LUA_OK) {
    return std::string("harness does not compile: ") + lua_tostring(L, -1);
  }
  lua_pushlstring(L, subject.data(), subject.size());
  lua_pushlstring(L, pattern.data(), pattern.size());
  if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
    return std::string("harness failed: ") + luaL_tolstring(L, -1, nullptr);
  }
  size_t length = 0;
  const char* text = lua_tolstring(L, -1, &length);
  std::string description(text, length);
  lua_settop(L, 0);
  return description;
}

int InstallOurs(lua_State* L) {
  auto* meter = static_cast<internal::LuaMeter*>(lua_touserdata(L, 1));
  lua_pushglobaltable(L);
  internal::InstallMeteredLibrary(L, lua_gettop(L), meter);
  return 0;
}

}  // namespace

struct PatternDifferential::CountingMeter final : internal::LuaMeter {
  bool MayContinue() override {
    if (checks_left == 0) {
      exhausted = true;
      return false;
    }
    --checks_left;
    return true;
  }
  int Stop(lua_State* L) override { return luaL_error(L, "out of budget"); }

  uint32_t max_checks = 0;
  uint32_t checks_left = 0;
  bool exhausted = false;
};

PatternDifferential::PatternDifferential(uint32_t max_checks)
    : meter_(std::make_unique<CountingMeter>()),
      stock_(luaL_newstate()),
      ours_(luaL_newstate()) {
  meter_->max_checks = max_checks;
  luaL_openlibs(stock_);
  luaL_openlibs(ours_);
  lua_pushcfunction(ours_, InstallOurs);
  lua_pushlightuserdata(ours_, meter_.get());
  lua_call(ours_, 1, 0);
}

PatternDifferential::~PatternDifferential() {
  lua_close(stock_);
  lua_close(ours_);
}

std::optional<PatternResults> PatternDifferential::Compare(std::string_view subject,
                                                           std::string_view pattern) {
  meter_->checks_left = meter_->max_checks;
  meter_->exhausted = false;
  PatternResults results;
  results.ours = Describe(ours_, subject, pattern);
  if (meter_->exhausted) return std::nullopt;
  results.stock = Describe(stock_, subject, pattern);
  return results;
}

}  // namespace assent::engine::testing
