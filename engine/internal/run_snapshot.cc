#include "engine/internal/run_snapshot.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "engine/internal/approval_record.h"

namespace assent::engine {
namespace {

namespace json = boost::json;

// Bumped when the encoding changes; older snapshots are then ignored (and runs refolded).
constexpr int64_t kSnapshotFormat = 1;

}  // namespace

std::string EncodeSnapshot(const RunState& state) {
  json::array approvals;
  for (const ApprovalView& approval : state.approvals) {
    approvals.push_back(json::parse(EncodeApprovalRecord(approval)));
  }
  json::object snapshot{{"format", kSnapshotFormat},
                        {"run_id", state.run_id},
                        {"workflow", state.workflow},
                        {"version", state.version},
                        {"idempotency_key", state.idempotency_key},
                        {"status", static_cast<int>(state.status)},
                        {"input", state.input},
                        {"steps", state.steps},
                        {"last_output", state.last_output},
                        {"cursor", state.cursor},
                        {"attempt", state.attempt},
                        {"visit_seq", state.visit_seq},
                        {"failures", state.failures},
                        {"step_in_flight", state.step_in_flight},
                        {"retry_pending", state.retry_pending},
                        {"approvals", std::move(approvals)},
                        {"error", state.error},
                        {"last_seq", state.last_seq},
                        {"started_at", state.started_at_ms},
                        {"updated_at", state.updated_at_ms}};
  if (state.output) snapshot["output"] = *state.output;
  return json::serialize(snapshot);
}

Result<RunState> DecodeSnapshot(std::string_view snapshot) {
  auto corrupt = [] { return Status::Corruption("run snapshot does not decode"); };
  boost::system::error_code ec;
  json::value value = json::parse(snapshot, ec);
  if (ec || !value.is_object()) return corrupt();
  try {
    const json::object& object = value.as_object();
    if (object.at("format").as_int64() != kSnapshotFormat) return corrupt();
    RunState state;
    state.run_id = object.at("run_id").as_string();
    state.workflow = object.at("workflow").as_string();
    state.version = object.at("version").to_number<uint32_t>();
    state.idempotency_key = object.at("idempotency_key").as_string();
    state.status = static_cast<RunStatus>(object.at("status").as_int64());
    state.input = object.at("input").as_object();
    state.steps = object.at("steps").as_object();
    state.last_output = object.at("last_output");
    state.cursor = object.at("cursor").as_string();
    state.attempt = object.at("attempt").to_number<uint32_t>();
    state.visit_seq = object.at("visit_seq").to_number<uint64_t>();
    state.failures = object.at("failures").to_number<uint32_t>();
    state.step_in_flight = object.at("step_in_flight").as_bool();
    state.retry_pending = object.at("retry_pending").as_bool();
    for (const json::value& record : object.at("approvals").as_array()) {
      auto approval = DecodeApprovalRecord(json::serialize(record));
      if (!approval.ok()) return corrupt();
      state.approvals.push_back(std::move(approval).value());
    }
    if (const json::value* output = object.if_contains("output")) state.output = *output;
    state.error = object.at("error").as_string();
    state.last_seq = object.at("last_seq").to_number<uint64_t>();
    state.snapshot_seq = state.last_seq;
    state.started_at_ms = object.at("started_at").as_int64();
    state.updated_at_ms = object.at("updated_at").as_int64();
    return state;
  } catch (const std::exception&) {  // a missing field or a wrong type: Boost.JSON throws
    return corrupt();
  }
}

}  // namespace assent::engine
