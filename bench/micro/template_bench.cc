// Template rendering for W1's approval step: the message, and the `show` object (a value whose
// strings are each exactly one placeholder, so they keep their JSON types).
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench/load/w1.h"
#include "engine/internal/template.h"

namespace assent::bench {
namespace {

namespace json = boost::json;

// 64 W1 contexts {"input": ..., "steps": {"extract": ...}} as the engine builds them, so
// consecutive iterations render different values.
std::vector<json::object> Contexts() {
  std::vector<json::object> contexts;
  for (int index = 0; index < 64; ++index) {
    json::object input = W1Input(index);
    json::object extract{{"amount", input.at("amount")}, {"vendor", input.at("vendor")}};
    contexts.push_back(json::object{{"input", std::move(input)},
                                    {"steps", json::object{{"extract", std::move(extract)}}}});
  }
  return contexts;
}

// The approval step of the W1 definition.
const json::object& ApprovalStep() {
  static const json::value definition = W1Definition();
  for (const json::value& step : definition.at("steps").as_array()) {
    if (step.at("id") == "approval") return step.as_object();
  }
  static const json::object missing;
  return missing;
}

void BM_RenderMessage(benchmark::State& state) {
  const std::vector<json::object> contexts = Contexts();
  const std::string message(ApprovalStep().at("message").as_string());  // "Pay {{...}} to {{...}}?"
  size_t i = 0;
  for (auto _ : state) {
    auto rendered = engine::RenderString(message, contexts[i++ % contexts.size()]);
    if (!rendered.ok()) return state.SkipWithError(rendered.status().ToString().c_str());
    benchmark::DoNotOptimize(rendered->data());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_RenderMessage);

void BM_RenderValue(benchmark::State& state) {
  const std::vector<json::object> contexts = Contexts();
  const json::value show = ApprovalStep().at("show");
  size_t i = 0;
  for (auto _ : state) {
    auto rendered = engine::RenderValue(show, contexts[i++ % contexts.size()]);
    if (!rendered.ok()) return state.SkipWithError(rendered.status().ToString().c_str());
    benchmark::DoNotOptimize(rendered);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_RenderValue);

}  // namespace
}  // namespace assent::bench
