#include "bench/micro/w1_events.h"

#include <condition_variable>
#include <cstdio>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "bench/load/w1.h"
#include "engine/internal/definition.h"
#include "engine/internal/lua_sandbox.h"
#include "engine/internal/run_commands.h"
#include "engine/internal/run_txn.h"

namespace assent::bench {
namespace {

using engine::RunState;
using engine::RunTxn;

constexpr int64_t kStartMs = 1'750'000'000'000;
constexpr const char* kReviewer = "reviewer";

// The engine's own pieces for W1: its parsed definition, a sandbox and the default options.
struct Deciders {
  Deciders() : lua(engine::LuaLimits{options.lua_max_instructions, options.lua_max_memory_bytes}) {
    auto parsed = engine::ParseDefinition(kW1Name, W1Definition());
    if (!parsed.ok()) throw std::runtime_error("W1: " + parsed.status().ToString());
    definition = *parsed;
  }
  engine::EngineOptions options;
  engine::LuaSandbox lua;
  std::shared_ptr<const engine::WorkflowDefinition> definition;
};

}  // namespace

std::string BenchRunId(uint64_t n) {
  char id[32];
  std::snprintf(id, sizeof(id), "run_%012llx%08llx", static_cast<unsigned long long>(kStartMs),
                static_cast<unsigned long long>(n & 0xffffffffu));
  return id;
}

std::vector<storage::AppendBatch> W1RunBatches(int index, const std::string& run_id) {
  static thread_local Deciders deciders;
  const engine::StepContext context{*deciders.definition, deciders.lua, deciders.options};
  std::vector<storage::AppendBatch> batches;
  RunState state;
  state.run_id = run_id;

  RunTxn start(state, kStartMs);
  engine::StartRun(start, context, engine::StartRunCommand{kW1Name, W1Input(index)});
  batches.push_back(start.Finish());
  if (state.status == engine::RunStatus::kWaiting && !state.approvals.empty()) {
    RunTxn decide(state, kStartMs + 40);
    engine::DecideCommand approve{state.approvals.back().id, engine::Decision::kApprove,
                                  {.principal = {.id = kReviewer}}, ""};
    auto decided = engine::Decide(decide, context, approve);
    if (!decided.ok()) throw std::runtime_error("W1 decision: " + decided.status().ToString());
    batches.push_back(decide.Finish());
  }
  if (state.status != engine::RunStatus::kCompleted || !state.output) {
    throw std::runtime_error("W1 run " + std::to_string(index) +
                             " did not complete: " + state.error);
  }
  if (std::string wrong = CheckW1Output(index, *state.output, kReviewer); !wrong.empty()) {
    throw std::runtime_error("W1: " + wrong);
  }
  return batches;
}

Status AppendAndWait(storage::EventLog& log, storage::AppendBatch batch) {
  std::promise<Status> durable;
  std::future<Status> done = durable.get_future();
  log.Append(std::move(batch), [&durable](Status status, uint64_t) { durable.set_value(std::move(status)); });
  return done.get();
}

Result<uint64_t> WriteW1Runs(storage::EventLog& log, int runs) {
  // At most `kInFlight` batches queued at once: enough for large groups, bounded memory.
  constexpr int kInFlight = 512;
  std::mutex mu;
  std::condition_variable changed;
  int in_flight = 0;
  Status failure;
  uint64_t events = 0;
  auto submit = [&](storage::AppendBatch batch) {
    {
      std::unique_lock<std::mutex> lock(mu);
      changed.wait(lock, [&] { return in_flight < kInFlight; });
      ++in_flight;
    }
    log.Append(std::move(batch), [&](Status status, uint64_t) {
      std::lock_guard<std::mutex> lock(mu);
      if (!status.ok() && failure.ok()) failure = std::move(status);
      --in_flight;
      changed.notify_all();
    });
  };
  // A run's second batch (the decision) follows its first; other runs' batches interleave.
  for (int index = 0; index < runs; ++index) {
    for (storage::AppendBatch& batch : W1RunBatches(index, BenchRunId(index))) {
      events += batch.records.size();
      submit(std::move(batch));
    }
  }
  std::unique_lock<std::mutex> lock(mu);
  changed.wait(lock, [&] { return in_flight == 0; });
  if (!failure.ok()) return failure;
  return events;
}

}  // namespace assent::bench
