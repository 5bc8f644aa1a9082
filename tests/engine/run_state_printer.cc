#include "tests/engine/run_state_printer.h"

#include <boost/json/serialize.hpp>

namespace assent::engine {
namespace json = boost::json;

json::object Describe(const ApprovalView& approval) {
  json::array decisions;
  for (const DecisionView& decision : approval.decisions) {
    decisions.push_back({{"decision", ToString(decision.decision)},
                         {"reviewer", decision.reviewer},
                         {"comment", decision.comment},
                         {"at", decision.at_ms}});
  }
  json::array comments;
  for (const CommentView& comment : approval.comments) {
    comments.push_back({{"author", comment.author}, {"text", comment.text}, {"at", comment.at_ms}});
  }
  return {{"id", approval.id},           {"run_id", approval.run_id},
          {"workflow", approval.workflow},
          {"step_id", approval.step_id}, {"status", ToString(approval.status)},
          {"message", approval.message}, {"show", approval.show},
          {"decisions", decisions},      {"comments", comments},
          {"requested_at", approval.requested_at_ms},
          {"version", approval.version}, {"started_by", approval.started_by}};
}

std::string Describe(const RunState& state) {
  json::array approvals;
  for (const ApprovalView& approval : state.approvals) approvals.push_back(Describe(approval));
  json::object described{{"run_id", state.run_id},
                         {"workflow", state.workflow},
                         {"version", state.version},
                         {"idempotency_key", state.idempotency_key},
                         {"started_by", state.started_by},
                         {"status", ToString(state.status)},
                         {"input", state.input},
                         {"steps", state.steps},
                         {"last_output", state.last_output},
                         {"cursor", state.cursor},
                         {"attempt", state.attempt},
                         {"visit_seq", state.visit_seq},
                         {"failures", state.failures},
                         {"step_in_flight", state.step_in_flight},
                         {"retry_pending", state.retry_pending},
                         {"wake_at", state.wake_at_ms},
                         {"retry_at", state.retry_at_ms},
                         {"give_up_at", state.give_up_at_ms},
                         {"gate_approval_id", state.gate_approval_id},
                         {"approvals", approvals},
                         {"error", state.error},
                         {"last_seq", state.last_seq},
                         {"started_at", state.started_at_ms},
                         {"updated_at", state.updated_at_ms}};
  if (state.output) described["output"] = *state.output;
  return json::serialize(described);
}

void PrintTo(const RunState& state, std::ostream* out) { *out << Describe(state); }

}  // namespace assent::engine
