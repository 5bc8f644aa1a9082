#include "engine/internal/lua_sandbox.h"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <functional>
#include <limits>
#include <lua.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "base/utf8.h"
#include "engine/internal/lua_cpu_budget.h"
#include "engine/internal/lua_json.h"
#include "engine/internal/lua_metered_library.h"

// How the sandbox holds (see lua_sandbox.h for what it promises):
// - Only base, string, table, math and utf8 are opened. coroutine is left out: data steps do
//   not need it, and every coroutine is a separate lua_State with its own hook countdown.
// - Base functions that reach outside or defeat the limits are removed (load, dofile, loadfile,
//   collectgarbage, print, warn) together with string.dump and math.randomseed (the one piece
//   of library state a run could change for the next run). rawset is removed because it is the
//   one way to write into the shared read-only library tables.
// - setmetatable refuses metatables with __gc: a finalizer would run during a later run or
//   while the state closes, outside the run that created it.
// - Every run gets a fresh _ENV table whose reads fall back to the shared library globals
//   through a protected metatable, so a run's globals die with it.
// - `input` and `steps` are converted from JSON when the run first reads them (a miss in _ENV
//   and in the globals lands in LoadRunGlobal), then kept in _ENV: most chunks read one of the
//   two, some neither, and the conversion was the largest part of running a short chunk.
// - Instructions are counted by a count hook; memory by the allocator; CPU time by
//   LuaCpuBudget, whose timer makes StopRun the hook when the budget is spent. Library functions
//   that could work without bound inside one call are replaced by metered ones
//   (lua_metered_library.h). Hitting any limit fails the run even if the script caught the error
//   with pcall, and the state is rebuilt before the next run.
// - Lua errors are longjmps: every Lua API call that can raise runs inside lua_pcall, in frames
//   without destructors. What runs unprotected uses only calls that cannot raise, with the
//   memory limit lifted so that even stack growth cannot fail on the limit.
namespace assent::engine {
namespace {

namespace json = boost::json;

// The hook runs every kHookInterval instructions: rare enough to cost nothing, frequent enough
// that a run overshoots its budget by at most that many instructions.
constexpr uint64_t kHookInterval = 1000;
// Compiled chunks kept per kind; past this the state is rebuilt, dropping them all. A worker
// runs the handful of scripts its definitions contain, so this is a guard, not a working size.
constexpr size_t kMaxCachedChunks = 1024;

constexpr char kCodeChunkName[] = "=code";
constexpr char kConditionChunkName[] = "=condition";

enum class ChunkKind { kCode, kCondition };

// A `-- comment` at the end of the expression would swallow the closing parenthesis, so then it
// goes on a line of its own. Only then: Lua reports errors in the last operation at the line of
// the parenthesis, and a one-line condition should report line 1.
std::string ExpressionSource(std::string_view expression) {
  std::string source = "return (";
  source.append(expression);
  source.append(expression.find("--") == std::string_view::npos ? ")" : "\n)");
  return source;
}

// The message of the error value on top of the stack, without calling Lua (no __tostring, no
// number-to-string conversion that could raise). Made UTF-8, since it becomes the step's error,
// which is recorded and shown as JSON.
std::string ErrorText(lua_State* L) {
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t length = 0;
      const char* text = lua_tolstring(L, -1, &length);
      return ToValidUtf8(std::string_view(text, length));
    }
    case LUA_TNUMBER:
      if (lua_isinteger(L, -1)) return std::to_string(lua_tointeger(L, -1));
      return std::to_string(lua_tonumber(L, -1));
    default:
      return std::string("(error object is a ") + luaL_typename(L, -1) + " value)";
  }
}

Status Compile(std::string_view source, const char* chunk_name) {
  lua_State* L = luaL_newstate();
  if (L == nullptr) return Status::Unavailable("lua: cannot allocate a state");
  Status status;
  // Mode "t": a precompiled binary chunk can crash the VM, so only source is accepted.
  if (luaL_loadbufferx(L, source.data(), source.size(), chunk_name, "t") != LUA_OK) {
    status = Status::InvalidArgument(ErrorText(L));
  }
  lua_close(L);
  return status;
}

// Heterogeneous lookup, so finding a cached chunk does not copy the code into a std::string.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using ChunkCache = std::unordered_map<std::string, int, StringHash, std::equal_to<>>;

// Everything LuaSandbox holds; a plain struct so the Lua callbacks below can reach it. It is
// also the meter of the metered library functions.
struct SandboxState final : internal::LuaMeter {
  explicit SandboxState(LuaLimits limits_in) : limits(limits_in), cpu(limits_in.max_cpu) {
    hook_interval = static_cast<int>(
        std::max<uint64_t>(1, std::min<uint64_t>(kHookInterval, limits.max_instructions)));
  }
  ~SandboxState() { CloseState(); }
  SandboxState(const SandboxState&) = delete;
  SandboxState& operator=(const SandboxState&) = delete;

  static SandboxState* Of(lua_State* L) {
    return *static_cast<SandboxState**>(lua_getextraspace(L));
  }

  Status EnsureState();
  void CloseState();
  // Runs `text` and leaves its one result on top of the stack. On error the stack is empty and
  // the state may have been closed. REQUIRES: FinishRun() after reading a successful result.
  Status Run(ChunkKind kind, std::string_view text, const json::object& input,
             const json::object& steps, const json::object* request = nullptr);
  void FinishRun();

  // Memory accounting, called by Allocate.
  void OnRefused(size_t size);
  void OnGrown(size_t size);

  // internal::LuaMeter
  bool MayContinue() override { return !cpu.Exceeded(); }
  int Stop(lua_State* L) override;
  // Why the run was stopped, for StopRun's error.
  std::string StopReason();

  const LuaLimits limits;
  int hook_interval = 1;
  lua_State* L = nullptr;
  int env_metatable_ref = LUA_NOREF;
  // The registry slot of the running chunk's _ENV (false between runs), where LoadRunGlobal
  // keeps what it converts. A slot made once, so setting it never allocates.
  int run_env_ref = LUA_NOREF;
  // What the running chunk's `input` and `steps` are made from; null between runs and once
  // the name has been read or assigned (from then on _ENV holds what the script sees).
  const json::object* run_input = nullptr;
  const json::object* run_steps = nullptr;

  // The slot of `input` or `steps` when `name` is one of them; else null.
  const json::object** RunGlobal(lua_State* state, int name) {
    if (lua_type(state, name) != LUA_TSTRING) return nullptr;
    size_t length = 0;
    const char* chars = lua_tolstring(state, name, &length);
    const std::string_view text(chars, length);
    return text == "input" ? &run_input : text == "steps" ? &run_steps : nullptr;
  }
  ChunkCache code_chunks;
  ChunkCache condition_chunks;

  size_t used_bytes = 0;
  // What the state holds outside any run: libraries and cached chunks.
  size_t base_bytes = 0;
  // Allocations that would take used_bytes past this are refused. Unlimited outside runs.
  size_t limit_bytes = std::numeric_limits<size_t>::max();
  bool refusal_pending = false;
  size_t refused_size = 0;
  bool memory_limit_hit = false;

  uint64_t instructions = 0;
  bool instruction_limit_hit = false;

  internal::LuaCpuBudget cpu;
  ChunkKind running_kind = ChunkKind::kCode;
};

void* Allocate(void* ud, void* ptr, size_t osize, size_t nsize) {
  auto* sandbox = static_cast<SandboxState*>(ud);
  // For a new block Lua passes the object type in osize, not a size.
  const size_t old_size = ptr != nullptr ? osize : 0;
  if (nsize == 0) {
    std::free(ptr);
    sandbox->used_bytes -= old_size;
    return nullptr;
  }
  // Lua requires shrinking to succeed, so only growth is checked.
  if (nsize > old_size && (sandbox->used_bytes > sandbox->limit_bytes ||
                           nsize - old_size > sandbox->limit_bytes - sandbox->used_bytes)) {
    sandbox->OnRefused(nsize);
    return nullptr;
  }
  void* block = std::realloc(ptr, nsize);
  if (block == nullptr) return nullptr;  // real exhaustion: Lua reports it like the limit
  sandbox->used_bytes = sandbox->used_bytes - old_size + nsize;
  if (nsize > old_size) sandbox->OnGrown(nsize);
  return block;
}

void CountInstructions(lua_State* L, lua_Debug*) {
  SandboxState* sandbox = SandboxState::Of(L);
  sandbox->instructions += static_cast<uint64_t>(sandbox->hook_interval);
  if (sandbox->instructions <= sandbox->limits.max_instructions) return;
  sandbox->instruction_limit_hit = true;
  // From now on fire on every instruction: a script that catches the error with pcall in a
  // loop hits it again at its next instruction outside the pcall.
  lua_sethook(L, CountInstructions, LUA_MASKCOUNT, 1);
  lua_pushliteral(L, "instruction limit exceeded");
  lua_error(L);
}

// The hook of a run that must stop: it raises at every instruction, call and return, so
// catching the error with pcall does not let the script go on.
void StopRun(lua_State* L, lua_Debug*) {
  SandboxState* sandbox = SandboxState::Of(L);
  lua_sethook(L, StopRun, LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
  lua_pushstring(L, sandbox->StopReason().c_str());
  lua_error(L);
}

int SandboxState::Stop(lua_State* L) {
  StopRun(L, nullptr);
  return 0;
}

std::string SandboxState::StopReason() {
  if (!cpu.Exceeded()) return "instruction limit exceeded";
  std::string reason = running_kind == ChunkKind::kCode ? "code step" : "condition";
  reason += " exceeded its CPU budget of ";
  reason += std::to_string(cpu.budget().count());
  reason += " ms";
  if (cpu.shared()) reason += ", shared by the steps run since the run's last pause";
  return reason;
}

int RefuseWrite(lua_State* L) { return luaL_error(L, "library tables are read-only"); }

// setmetatable without finalizers. Lua only registers an object for finalization if its
// metatable has __gc when it is set, so checking here is enough.
int SetMetatableWithoutGc(lua_State* L) {
  if (lua_type(L, 2) == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    if (lua_rawget(L, 2) != LUA_TNIL) {
      return luaL_error(L, "__gc metamethods are not allowed in the sandbox");
    }
    lua_pop(L, 1);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

// Replaces globals[name] with an empty proxy whose metatable reads from the library and refuses
// writes. REQUIRES: the globals table at stack index `globals`.
void MakeReadOnly(lua_State* L, int globals, const char* name) {
  lua_newtable(L);                 // proxy
  lua_createtable(L, 0, 3);        // its metatable
  lua_getfield(L, globals, name);  // the library
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, RefuseWrite);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");  // getmetatable() cannot reach the library table
  lua_setmetatable(L, -2);
  lua_setfield(L, globals, name);
}

// The globals' __index, so reached only by reads that miss a run's _ENV: converts `input` or
// `steps` and keeps it in the _ENV, so the next read finds it there. Other names are nil, as
// they were. Runs inside the chunk's lua_pcall: a conversion that fails raises there.
int LoadRunGlobal(lua_State* L) {
  SandboxState* sandbox = SandboxState::Of(L);
  const json::object** slot = sandbox->RunGlobal(L, 2);
  if (slot == nullptr || *slot == nullptr) return 0;
  lua_rawgeti(L, LUA_REGISTRYINDEX, sandbox->run_env_ref);
  internal::PushJsonObject(L, **slot, lua_tostring(L, 2));  // "input" or "steps"
  lua_pushvalue(L, 2);
  lua_pushvalue(L, -2);
  lua_rawset(L, -4);
  // Only once it is in _ENV: a conversion that fails (raising) fails every read, even one a
  // script catches, as it failed the run before any read.
  *slot = nullptr;
  return 1;
}

// A run's _ENV's __newindex, so reached by assignments to globals it does not hold yet: an
// assignment to `input` or `steps` before any read (even of nil) is what later reads see.
int AssignRunGlobal(lua_State* L) {
  if (const json::object** slot = SandboxState::Of(L)->RunGlobal(L, 2)) *slot = nullptr;
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 0;
}

// Builds the sandbox in a fresh state. Runs under lua_pcall.
int OpenSandbox(lua_State* L) {
  luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
  luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
  luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
  luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
  luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
  lua_settop(L, 0);

  lua_pushglobaltable(L);
  const int globals = lua_gettop(L);
  for (const char* name :
       {"dofile", "loadfile", "load", "require", "collectgarbage", "print", "warn", "rawset"}) {
    lua_pushnil(L);
    lua_setfield(L, globals, name);
  }
  lua_getfield(L, globals, LUA_STRLIBNAME);
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");
  lua_pop(L, 1);
  lua_getfield(L, globals, LUA_MATHLIBNAME);
  lua_pushnil(L);
  lua_setfield(L, -2, "randomseed");
  lua_pop(L, 1);

  internal::InstallMeteredLibrary(L, globals, SandboxState::Of(L));

  lua_getfield(L, globals, "setmetatable");
  lua_pushcclosure(L, SetMetatableWithoutGc, 1);
  lua_setfield(L, globals, "setmetatable");

  // Strings index the real string table through their shared metatable; hide it.
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 2);

  for (const char* name : {LUA_STRLIBNAME, LUA_TABLIBNAME, LUA_MATHLIBNAME, LUA_UTF8LIBNAME}) {
    MakeReadOnly(L, globals, name);
  }

  // The metatable of every run's _ENV: reads fall back to the globals, which the run cannot
  // reach or change otherwise.
  lua_createtable(L, 0, 3);
  lua_pushvalue(L, globals);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, AssignRunGlobal);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  SandboxState::Of(L)->env_metatable_ref = luaL_ref(L, LUA_REGISTRYINDEX);

  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, LoadRunGlobal);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, globals);
  lua_pushboolean(L, 0);
  SandboxState::Of(L)->run_env_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

// What Run hands to PrepareRun. Only trivially destructible members: PrepareRun may longjmp.
struct RunArgs {
  SandboxState* sandbox;
  int chunk_ref;  // the cached chunk, or LUA_NOREF to compile `source`
  std::string_view source;
  const char* chunk_name;
  const json::object* input;
  const json::object* steps;
  const json::object* request;  // a gate's condition: the call it is about; else null
  int new_ref;  // out: the chunk compiled and cached by this call
};

// A gate's condition sees the call as `request`, and the fields of a JSON object body by name
// too ("amount > 5000", "type == 'purge'"): they hide the libraries' names (a condition about a
// body field `type` means the field, not Lua's function), not input, steps, request or _G. The
// table _ENV being built, before its metatable, is on top of the stack.
void PushRequest(lua_State* L, const json::object& request) {
  internal::PushJsonObject(L, request, "request");
  lua_setfield(L, -2, "request");
  const json::value* body = request.if_contains("body");
  if (body == nullptr || !body->is_object()) return;
  internal::PushJsonObject(L, body->as_object(), "request.body");
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {  // env, body, key, value
    size_t length = 0;
    const char* chars = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &length) : "";
    const std::string_view name(chars, length);
    if (name != "input" && name != "steps" && name != "request" && name != "_G") {
      lua_pushvalue(L, -2);
      lua_pushvalue(L, -2);
      lua_rawset(L, -6);
    }
    lua_pop(L, 1);  // the value; the key stays for lua_next
  }
  lua_pop(L, 1);
}

// Pushes the chunk, compiled or from the cache, with a fresh _ENV, where input and steps appear
// when first read (LoadRunGlobal). Runs under lua_pcall, so memory exhaustion is an ordinary
// error.
int PrepareRun(lua_State* L) {
  auto* args = static_cast<RunArgs*>(lua_touserdata(L, 1));
  SandboxState* sandbox = args->sandbox;
  lua_settop(L, 0);
  if (args->chunk_ref != LUA_NOREF) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, args->chunk_ref);
  } else {
    const size_t before = sandbox->used_bytes;
    if (luaL_loadbufferx(L, args->source.data(), args->source.size(), args->chunk_name, "t") !=
        LUA_OK) {
      return lua_error(L);
    }
    lua_pushvalue(L, -1);
    args->new_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    // The cached chunk belongs to the sandbox from now on, not to this run's budget.
    if (sandbox->used_bytes > before) {
      const size_t grown = sandbox->used_bytes - before;
      sandbox->base_bytes += grown;
      sandbox->limit_bytes += grown;
    }
  }
  lua_createtable(L, 0, 3);
  lua_pushvalue(L, -1);
  lua_setfield(L, -2, "_G");
  lua_pushvalue(L, -1);
  lua_rawseti(L, LUA_REGISTRYINDEX, sandbox->run_env_ref);
  sandbox->run_input = args->input;
  sandbox->run_steps = args->steps;
  if (args->request != nullptr) PushRequest(L, *args->request);
  lua_rawgeti(L, LUA_REGISTRYINDEX, sandbox->env_metatable_ref);
  lua_setmetatable(L, -2);
  lua_setupvalue(L, -2, 1);  // a main chunk's only upvalue is _ENV
  return 1;
}

void SandboxState::OnRefused(size_t size) {
  // After a refusal Lua usually collects garbage and asks again for the same size. A second
  // refusal in a row, or a refusal that was never retried (lauxlib buffers do not retry), means
  // the script really needs more than the limit.
  if (refusal_pending) memory_limit_hit = true;
  refusal_pending = true;
  refused_size = size;
}

void SandboxState::OnGrown(size_t size) {
  if (!refusal_pending) return;
  if (size != refused_size) memory_limit_hit = true;
  refusal_pending = false;
}

Status SandboxState::EnsureState() {
  if (L != nullptr) return Status::Ok();
  used_bytes = 0;
  limit_bytes = std::numeric_limits<size_t>::max();
  L = lua_newstate(Allocate, this);
  if (L == nullptr) return Status::Unavailable("lua: cannot allocate a state");
  *static_cast<SandboxState**>(lua_getextraspace(L)) = this;
  lua_pushcfunction(L, OpenSandbox);
  if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
    std::string message = ErrorText(L);
    CloseState();
    return Status::Unavailable("lua: cannot open the sandbox: " + message);
  }
  base_bytes = used_bytes;
  return Status::Ok();
}

void SandboxState::CloseState() {
  if (L == nullptr) return;
  limit_bytes = std::numeric_limits<size_t>::max();
  lua_close(L);
  L = nullptr;
  env_metatable_ref = LUA_NOREF;
  run_env_ref = LUA_NOREF;
  code_chunks.clear();
  condition_chunks.clear();
  base_bytes = 0;
}

Status SandboxState::Run(ChunkKind kind, std::string_view text, const json::object& input,
                         const json::object& steps, const json::object* request) {
  ChunkCache& cache = kind == ChunkKind::kCode ? code_chunks : condition_chunks;
  if (cache.size() >= kMaxCachedChunks) CloseState();
  if (Status status = EnsureState(); !status.ok()) return status;

  RunArgs args{.sandbox = this,
               .chunk_ref = LUA_NOREF,
               .source = text,
               .chunk_name = kind == ChunkKind::kCode ? kCodeChunkName : kConditionChunkName,
               .input = &input,
               .steps = &steps,
               .request = request,
               .new_ref = LUA_NOREF};
  std::string expression_source;
  if (auto it = cache.find(text); it != cache.end()) {
    args.chunk_ref = it->second;
  } else if (kind == ChunkKind::kCondition) {
    expression_source = ExpressionSource(text);
    args.source = expression_source;
  }

  instructions = 0;
  instruction_limit_hit = false;
  memory_limit_hit = false;
  refusal_pending = false;
  limit_bytes = base_bytes +
                std::min(limits.max_memory_bytes, std::numeric_limits<size_t>::max() - base_bytes);
  lua_sethook(L, CountInstructions, LUA_MASKCOUNT, hook_interval);  // also restarts the count
  running_kind = kind;
  cpu.Start(L, StopRun);

  lua_settop(L, 0);
  lua_pushcfunction(L, PrepareRun);
  lua_pushlightuserdata(L, &args);
  int rc = lua_pcall(L, 1, 1, 0);
  const bool prepared = rc == LUA_OK;
  if (prepared) {
    lua_pushvalue(L, 1);  // keep the chunk at index 1 to detach its _ENV afterwards
    rc = lua_pcall(L, 0, 1, 0);
  }
  cpu.Finish();
  // After Finish: nothing between Start and Finish may throw, or the timer could still reach
  // the state after a throw closed it.
  if (args.new_ref != LUA_NOREF) cache.emplace(std::string(text), args.new_ref);
  // Nothing may convert into this run's _ENV any more; dropping it from the registry lets it
  // be collected. Setting a slot that exists cannot raise.
  run_input = nullptr;
  run_steps = nullptr;
  lua_pushboolean(L, 0);
  lua_rawseti(L, LUA_REGISTRYINDEX, run_env_ref);
  // A script cannot finish once stopped, so an exceeded budget with a result means the run
  // finished just as the budget ran out: its result stands.
  const bool cpu_budget_hit = rc != LUA_OK && cpu.Exceeded();
  if (refusal_pending) memory_limit_hit = true;
  refusal_pending = false;
  limit_bytes = std::numeric_limits<size_t>::max();

  Status status;
  if (cpu_budget_hit) {
    status = Status::InvalidArgument(StopReason());
  } else if (instruction_limit_hit) {
    status = Status::InvalidArgument("instruction limit exceeded");
  } else if (memory_limit_hit || rc == LUA_ERRMEM) {
    status = Status::InvalidArgument("memory limit exceeded");
  } else if (rc != LUA_OK) {
    status = Status::InvalidArgument(ErrorText(L));
  }
  if (cpu_budget_hit || instruction_limit_hit || memory_limit_hit) {
    // The script may have been stopped anywhere; start the next run from a clean state.
    CloseState();
  } else if (!status.ok()) {
    if (prepared) FinishRun();
    lua_settop(L, 0);
  }
  return status;
}

void SandboxState::FinishRun() {
  // Drop the run's _ENV from the cached chunk so its input and globals can be collected now
  // rather than when the chunk next runs. Setting nil cannot raise.
  lua_pushnil(L);
  lua_setupvalue(L, 1, 1);
  lua_settop(L, 0);
}

}  // namespace

struct LuaSandbox::Impl {
  explicit Impl(LuaLimits limits) : state(limits) {}
  SandboxState state;
};

LuaSandbox::LuaSandbox(LuaLimits limits) : impl_(std::make_unique<Impl>(limits)) {}

LuaSandbox::~LuaSandbox() = default;

Status LuaSandbox::CheckChunk(std::string_view code) { return Compile(code, kCodeChunkName); }

Status LuaSandbox::CheckExpression(std::string_view expression) {
  return Compile(ExpressionSource(expression), kConditionChunkName);
}

Result<json::value> LuaSandbox::RunChunk(std::string_view code, const json::object& input,
                                         const json::object& steps) {
  try {
    if (Status status = impl_->state.Run(ChunkKind::kCode, code, input, steps); !status.ok()) {
      return status;
    }
    // A result may hold one table many times; its JSON is bounded like the script's memory.
    Result<json::value> result =
        internal::LuaToJson(impl_->state.L, -1, impl_->state.limits.max_memory_bytes);
    impl_->state.FinishRun();
    return result;
  } catch (const std::exception& e) {
    // Only allocation failures on the C++ side get here; the Lua stack is in an unknown shape.
    impl_->state.CloseState();
    return Status::Unavailable(std::string("lua: ") + e.what());
  }
}

Result<bool> LuaSandbox::EvaluateCondition(std::string_view expression, const json::object& input,
                                           const json::object& steps,
                                           const json::object* request) {
  try {
    if (Status status = impl_->state.Run(ChunkKind::kCondition, expression, input, steps, request);
        !status.ok()) {
      return status;
    }
    const bool truthy = lua_toboolean(impl_->state.L, -1) != 0;
    impl_->state.FinishRun();
    return truthy;
  } catch (const std::exception& e) {
    impl_->state.CloseState();
    return Status::Unavailable(std::string("lua: ") + e.what());
  }
}

}  // namespace assent::engine
