// Lua 5.4 in the sandbox, as the engine calls it for W1: the condition `steps.extract.amount >
// 5000` and the `extract` code step. One LuaSandbox for the whole run, as the engine keeps one
// per thread (compiled chunks are reused); each call converts `input` and `steps` to Lua tables
// and, for a code step, the result back to JSON: that conversion is part of what is measured.
#include <chrono>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench/load/w1.h"
#include "engine/internal/lua_sandbox.h"

namespace assent::bench {
namespace {

namespace json = boost::json;

struct Run {
  json::object input;
  json::object steps;  // what the condition sees: extract's output
};

// 64 W1 runs, half above the threshold, so the condition's outcome alternates.
std::vector<Run> Runs() {
  std::vector<Run> runs;
  for (int index = 0; index < 64; ++index) {
    json::object input = W1Input(index);
    json::object extract{{"amount", input.at("amount")}, {"vendor", input.at("vendor")}};
    runs.push_back(Run{std::move(input), json::object{{"extract", std::move(extract)}}});
  }
  return runs;
}

// A step's field from the W1 definition, e.g. ("check", "if").
std::string StepField(std::string_view step_id, std::string_view field) {
  const json::value definition = W1Definition();
  for (const json::value& step : definition.at("steps").as_array()) {
    if (step.at("id").as_string() == step_id) return std::string(step.at(field).as_string());
  }
  return {};
}

engine::LuaLimits CpuLimits(const benchmark::State& state) {
  return engine::LuaLimits{.max_cpu = std::chrono::milliseconds(state.range(0))};
}

void BM_LuaCondition(benchmark::State& state) {
  const std::vector<Run> runs = Runs();
  const std::string condition = StepField("check", "if");  // steps.extract.amount > 5000
  engine::LuaSandbox lua(CpuLimits(state));
  size_t i = 0;
  int64_t taken = 0;
  for (auto _ : state) {
    const Run& run = runs[i++ % runs.size()];
    auto result = lua.EvaluateCondition(condition, run.input, run.steps);
    if (!result.ok()) return state.SkipWithError(result.status().ToString().c_str());
    taken += *result;
    benchmark::DoNotOptimize(taken);
  }
  if (taken * 2 != state.iterations() && taken * 2 != state.iterations() - 1 &&
      taken * 2 != state.iterations() + 1) {
    state.SkipWithError("the condition did not hold for half the runs");
  }
}
// Arg: the CPU budget in ms (0: none), to see what arming its timer costs per run.
BENCHMARK(BM_LuaCondition)->Arg(0)->Arg(100);

void BM_LuaCodeStep(benchmark::State& state) {
  const std::vector<Run> runs = Runs();
  const std::string chunk = StepField("extract", "lua");
  engine::LuaSandbox lua(CpuLimits(state));
  const json::object no_steps;  // extract is the first step: nothing has completed yet
  size_t i = 0;
  for (auto _ : state) {
    const Run& run = runs[i++ % runs.size()];
    auto output = lua.RunChunk(chunk, run.input, no_steps);
    if (!output.ok()) return state.SkipWithError(output.status().ToString().c_str());
    benchmark::DoNotOptimize(output);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_LuaCodeStep)->Arg(0)->Arg(100);

}  // namespace
}  // namespace assent::bench
