#include "tests/storage/test_events.h"

#include <future>
#include <memory>

#include "schemas/event_generated.h"

namespace assent::storage::testing {

namespace {

std::string BuildEvent(std::string_view run_id, uint64_t seq, bool with_body) {
  flatbuffers::FlatBufferBuilder builder;
  flatbuffers::Offset<void> body;  // null: no body is written
  if (with_body) {
    body = fb::CreateStepStartedDirect(builder, ("step-" + std::to_string(seq)).c_str(), 1).Union();
  }
  auto event = fb::CreateEvent(builder, builder.CreateString(run_id.data(), run_id.size()), seq,
                               1700000000000, fb::Body::StepStarted, body);
  builder.Finish(event);
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
}

}  // namespace

std::string MakeEvent(std::string_view run_id, uint64_t seq) {
  return BuildEvent(run_id, seq, /*with_body=*/true);
}

std::string MakeEventWithoutBody(std::string_view run_id, uint64_t seq) {
  return BuildEvent(run_id, seq, /*with_body=*/false);
}

Record MakeRecord(std::string_view run_id, uint64_t seq) {
  return Record{std::string(run_id), seq, MakeEvent(run_id, seq)};
}

AppendBatch MakeBatch(std::string_view run_id, uint64_t first, uint64_t last) {
  AppendBatch batch;
  for (uint64_t seq = first; seq <= last; ++seq) batch.records.push_back(MakeRecord(run_id, seq));
  return batch;
}

Status AppendAndWait(EventLog& log, AppendBatch batch) {
  return AppendForPosition(log, std::move(batch)).status();
}

Result<uint64_t> AppendForPosition(EventLog& log, AppendBatch batch) {
  auto promise = std::make_shared<std::promise<Result<uint64_t>>>();
  std::future<Result<uint64_t>> done = promise->get_future();
  log.Append(std::move(batch), [promise](Status status, uint64_t first_position) {
    if (status.ok()) {
      promise->set_value(first_position);
    } else {
      promise->set_value(std::move(status));
    }
  });
  if (done.wait_for(kWaitTimeout) != std::future_status::ready) {
    return Status::Unavailable("timed out waiting for the append callback");
  }
  return done.get();
}

void Countdown::Done() {
  std::lock_guard<std::mutex> lock(mu_);
  if (--count_ == 0) zero_.notify_all();
}

bool Countdown::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  return zero_.wait_for(lock, kWaitTimeout, [this] { return count_ <= 0; });
}

}  // namespace assent::storage::testing
