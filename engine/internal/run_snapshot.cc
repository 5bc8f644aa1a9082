#include "engine/internal/run_snapshot.h"

#include <vector>

#include <boost/json/serialize.hpp>

#include "engine/internal/approval_record.h"
#include "engine/internal/stored_table.h"
#include "schemas/state_generated.h"

namespace assent::engine {
namespace {

namespace json = boost::json;

// Persisted in every snapshot: never change it.
constexpr char kIdentifier[] = "ASNP";

static_assert(static_cast<int>(fb::RunStatus::Running) == static_cast<int>(RunStatus::kRunning));
static_assert(static_cast<int>(fb::RunStatus::Waiting) == static_cast<int>(RunStatus::kWaiting));
static_assert(static_cast<int>(fb::RunStatus::Completed) ==
              static_cast<int>(RunStatus::kCompleted));
static_assert(static_cast<int>(fb::RunStatus::Failed) == static_cast<int>(RunStatus::kFailed));
static_assert(static_cast<int>(fb::RunStatus::Cancelled) ==
              static_cast<int>(RunStatus::kCancelled));

// The JSON object a field holds; kCorruption when it holds anything else.
Result<json::object> StoredObject(const flatbuffers::String* text, std::string_view field) {
  auto value = StoredJson(text, field);
  if (!value.ok()) return value.status();
  if (!value->is_object()) return Status::Corruption(std::string(field) + " is not an object");
  return std::move(value->as_object());
}

}  // namespace

std::string EncodeSnapshot(const RunState& state) {
  flatbuffers::FlatBufferBuilder builder(1024);
  std::vector<flatbuffers::Offset<fb::ApprovalRecord>> approvals;
  for (const ApprovalView& approval : state.approvals) {
    approvals.push_back(PackApprovalRecord(builder, approval));
  }
  auto text = [&](std::string_view value) { return StoreText(builder, value); };
  auto json_text = [&](const json::value& value) { return text(json::serialize(value)); };
  auto run_id = text(state.run_id);
  auto workflow = text(state.workflow);
  auto idempotency_key = text(state.idempotency_key);
  auto input = json_text(state.input);
  auto steps = json_text(state.steps);
  auto last_output = json_text(state.last_output);
  auto cursor = text(state.cursor);
  auto approval_vector = builder.CreateVector(approvals);
  flatbuffers::Offset<flatbuffers::String> output;
  if (state.output) output = json_text(*state.output);
  auto error = text(state.error);
  auto started_by = text(state.started_by);
  flatbuffers::Offset<flatbuffers::String> gate_approval_id;
  if (!state.gate_approval_id.empty()) gate_approval_id = text(state.gate_approval_id);

  fb::RunSnapshotBuilder snapshot(builder);
  snapshot.add_run_id(run_id);
  snapshot.add_workflow(workflow);
  snapshot.add_version(state.version);
  snapshot.add_idempotency_key(idempotency_key);
  snapshot.add_status(static_cast<fb::RunStatus>(state.status));
  snapshot.add_input(input);
  snapshot.add_steps(steps);
  snapshot.add_last_output(last_output);
  snapshot.add_cursor(cursor);
  snapshot.add_attempt(state.attempt);
  snapshot.add_visit_seq(state.visit_seq);
  snapshot.add_failures(state.failures);
  snapshot.add_step_in_flight(state.step_in_flight);
  snapshot.add_retry_pending(state.retry_pending);
  snapshot.add_approvals(approval_vector);
  if (state.output) snapshot.add_output(output);
  snapshot.add_error(error);
  snapshot.add_last_seq(state.last_seq);
  snapshot.add_started_at_ms(state.started_at_ms);
  snapshot.add_updated_at_ms(state.updated_at_ms);
  snapshot.add_started_by(started_by);
  snapshot.add_wake_at_ms(state.wake_at_ms);
  snapshot.add_retry_at_ms(state.retry_at_ms);
  snapshot.add_give_up_at_ms(state.give_up_at_ms);
  if (!state.gate_approval_id.empty()) snapshot.add_gate_approval_id(gate_approval_id);
  builder.Finish(snapshot.Finish(), kIdentifier);
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
}

Result<RunState> DecodeSnapshot(std::string_view bytes, const CommentSource& comments) {
  std::string aligned;
  const auto* snapshot = VerifiedRoot<fb::RunSnapshot>(bytes, kIdentifier, &aligned);
  if (snapshot == nullptr) return Status::Corruption("run snapshot does not verify");
  RunState state;
  state.run_id = StoredText(snapshot->run_id());
  state.workflow = StoredText(snapshot->workflow());
  state.version = snapshot->version();
  state.idempotency_key = StoredText(snapshot->idempotency_key());
  if (snapshot->status() < fb::RunStatus::MIN || snapshot->status() > fb::RunStatus::MAX) {
    return Status::Corruption("run snapshot: unknown status");
  }
  state.status = static_cast<RunStatus>(snapshot->status());
  auto input = StoredObject(snapshot->input(), "input");
  if (!input.ok()) return input.status();
  state.input = std::move(input).value();
  auto steps = StoredObject(snapshot->steps(), "steps");
  if (!steps.ok()) return steps.status();
  state.steps = std::move(steps).value();
  auto last_output = StoredJson(snapshot->last_output(), "last_output");
  if (!last_output.ok()) return last_output.status();
  state.last_output = std::move(last_output).value();
  state.cursor = StoredText(snapshot->cursor());
  state.attempt = snapshot->attempt();
  state.visit_seq = snapshot->visit_seq();
  state.failures = snapshot->failures();
  state.step_in_flight = snapshot->step_in_flight();
  state.retry_pending = snapshot->retry_pending();
  state.wake_at_ms = snapshot->wake_at_ms();
  state.retry_at_ms = snapshot->retry_at_ms();
  state.give_up_at_ms = snapshot->give_up_at_ms();
  state.gate_approval_id = StoredText(snapshot->gate_approval_id());
  if (snapshot->approvals() != nullptr) {
    for (const fb::ApprovalRecord* record : *snapshot->approvals()) {
      auto approval = UnpackApprovalRecord(*record, comments);
      if (!approval.ok()) return approval.status();
      // Records written before v0.9 do not name the workflow; it is the run's.
      if (approval->workflow.empty()) approval->workflow = state.workflow;
      state.approvals.push_back(std::move(approval).value());
    }
  }
  if (snapshot->output() != nullptr) {
    auto output = StoredJson(snapshot->output(), "output");
    if (!output.ok()) return output.status();
    state.output = std::move(output).value();
  }
  state.error = StoredText(snapshot->error());
  state.last_seq = snapshot->last_seq();
  state.started_at_ms = snapshot->started_at_ms();
  state.updated_at_ms = snapshot->updated_at_ms();
  state.started_by = StoredText(snapshot->started_by());
  // An approval's version and starter are its run's (records before v0.10 lack them).
  for (ApprovalView& approval : state.approvals) {
    approval.version = state.version;
    approval.started_by = state.started_by;
  }
  return state;
}

}  // namespace assent::engine
