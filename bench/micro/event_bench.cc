// One event's life in bytes: build (the object API that RunTxn uses, with a fresh builder per
// event or one reused, and a hand-written FlatBufferBuilder path for comparison), verify (as
// the log does on every append and read) and read (GetEvent, then every field).
//
// The event is a StepCompleted with a ~100-byte JSON output, the common case in a W1 run.
#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "schemas/event_generated.h"

namespace assent::fb {
namespace {

constexpr const char* kRunId = "run_0197785c4a2b1f3e9a7c";
constexpr const char* kStepId = "extract";
constexpr const char* kNext = "check";
constexpr int64_t kAtMs = 1'750'000'000'000;

// ~100 bytes of JSON, distinct per `variant`.
std::string Output(int variant) {
  return R"({"amount":)" + std::to_string(5001 + variant * 7919 % 95000) +
         R"(,"vendor":"vendor-)" + std::to_string(variant % 97) +
         R"(","invoice_id":"inv-)" + std::to_string(variant) + R"(","currency":"EUR","ok":true})";
}

// As RunTxn::EmitUnion: EventT -> Pack into `builder` -> std::string record.
std::string BuildWithObjectApi(flatbuffers::FlatBufferBuilder& builder, uint64_t seq,
                               const std::string& output) {
  StepCompletedT body;
  body.step_id = kStepId;
  body.output = output;
  body.next = kNext;
  EventT event;
  event.run_id = kRunId;
  event.seq = seq;
  event.at_ms = kAtMs + static_cast<int64_t>(seq);
  event.body.Set(std::move(body));
  builder.Clear();
  builder.Finish(Event::Pack(builder, &event));
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
}

// The same bytes written straight into the builder: no intermediate object.
std::string BuildWithBuilder(flatbuffers::FlatBufferBuilder& builder, uint64_t seq,
                             const std::string& output) {
  builder.Clear();
  auto body = CreateStepCompletedDirect(builder, kStepId, output.c_str(), kNext);
  auto run_id = builder.CreateString(kRunId);
  builder.Finish(CreateEvent(builder, run_id, seq, kAtMs + static_cast<int64_t>(seq),
                             Body::StepCompleted, body.Union()));
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
}

// 64 distinct outputs so no iteration sees exactly the previous iteration's input.
const std::vector<std::string>& Outputs() {
  static const std::vector<std::string> outputs = [] {
    std::vector<std::string> all;
    for (int i = 0; i < 64; ++i) all.push_back(Output(i));
    return all;
  }();
  return outputs;
}

const std::vector<std::string>& Records() {
  static const std::vector<std::string> records = [] {
    std::vector<std::string> all;
    flatbuffers::FlatBufferBuilder builder(256);
    for (size_t i = 0; i < Outputs().size(); ++i) {
      all.push_back(BuildWithObjectApi(builder, i + 1, Outputs()[i]));
    }
    return all;
  }();
  return records;
}

enum class BuildPath {
  kObjectApiFreshBuilder,  // a FlatBufferBuilder(256) per event, as RunTxn did at first
  kObjectApi,              // one builder, cleared per event
  kBuilder,                // one builder, Create* calls instead of the object API
};

void BM_BuildEvent(benchmark::State& state, BuildPath path) {
  const std::vector<std::string>& outputs = Outputs();
  flatbuffers::FlatBufferBuilder reused(256);
  uint64_t seq = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    ++seq;
    const std::string& output = outputs[seq % outputs.size()];
    std::string record;
    switch (path) {
      case BuildPath::kObjectApiFreshBuilder: {
        flatbuffers::FlatBufferBuilder fresh(256);
        record = BuildWithObjectApi(fresh, seq, output);
        break;
      }
      case BuildPath::kObjectApi: record = BuildWithObjectApi(reused, seq, output); break;
      case BuildPath::kBuilder: record = BuildWithBuilder(reused, seq, output); break;
    }
    bytes += static_cast<int64_t>(record.size());
    benchmark::DoNotOptimize(record.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(bytes);
  state.counters["event_bytes"] = static_cast<double>(Records()[0].size());
}
BENCHMARK_CAPTURE(BM_BuildEvent, object_api_fresh_builder, BuildPath::kObjectApiFreshBuilder);
BENCHMARK_CAPTURE(BM_BuildEvent, object_api, BuildPath::kObjectApi);
BENCHMARK_CAPTURE(BM_BuildEvent, builder, BuildPath::kBuilder);

void BM_VerifyEvent(benchmark::State& state) {
  const std::vector<std::string>& records = Records();
  size_t i = 0;
  for (auto _ : state) {
    const std::string& record = records[i++ % records.size()];
    flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(record.data()), record.size());
    bool ok = VerifyEventBuffer(verifier);
    benchmark::DoNotOptimize(ok);
    if (!ok) state.SkipWithError("a built event failed verification");
  }
}
BENCHMARK(BM_VerifyEvent);

void BM_ReadEvent(benchmark::State& state) {
  const std::vector<std::string>& records = Records();
  size_t i = 0;
  for (auto _ : state) {
    const Event* event = GetEvent(records[i++ % records.size()].data());
    // Every field, each one touched so it cannot be skipped.
    uint64_t sum = event->seq() + static_cast<uint64_t>(event->at_ms());
    sum += event->run_id()->size() + static_cast<uint8_t>(event->run_id()->c_str()[0]);
    const StepCompleted* body = event->body_as_StepCompleted();
    sum += body->step_id()->size() + static_cast<uint8_t>(body->step_id()->c_str()[0]);
    sum += body->output()->size() + static_cast<uint8_t>(body->output()->c_str()[0]);
    sum += body->next()->size() + static_cast<uint8_t>(body->next()->c_str()[0]);
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(BM_ReadEvent);

}  // namespace
}  // namespace assent::fb
