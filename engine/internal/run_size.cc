#include "engine/internal/run_size.h"

namespace assent::engine {
namespace {

namespace json = boost::json;

// A std::string's heap block, when it has one (beyond the small-string buffer).
size_t HeapBytes(const std::string& text) {
  return text.capacity() > std::string().capacity() ? text.capacity() + 1 : 0;
}

size_t ObjectBytes(const json::object& object) {
  // Boost.JSON keeps an object's entries in one table (with a hash index beside it for larger
  // ones) and each key's text in its own allocation.
  size_t bytes = object.capacity() * (sizeof(json::key_value_pair) + sizeof(uint32_t));
  for (const json::key_value_pair& entry : object) {
    bytes += entry.key().size() + 1 + EstimateBytes(entry.value());
  }
  return bytes;
}

size_t ApprovalBytes(const ApprovalView& approval) {
  size_t bytes = sizeof(ApprovalView) + HeapBytes(approval.id) + HeapBytes(approval.run_id) +
                 HeapBytes(approval.step_id) + HeapBytes(approval.message) +
                 ObjectBytes(approval.show);
  bytes += approval.decisions.capacity() * sizeof(DecisionView);
  for (const DecisionView& decision : approval.decisions) {
    bytes += HeapBytes(decision.reviewer) + HeapBytes(decision.comment);
    if (!decision.edits.empty()) {  // rare: the copy into a value costs only those that have them
      bytes += ObjectBytes(decision.edits) + EstimateBytes(json::value(decision.edit_diff));
    }
  }
  bytes += approval.comments.capacity() * sizeof(CommentView);
  for (const CommentView& comment : approval.comments) {
    bytes += HeapBytes(comment.author) + HeapBytes(comment.text);
  }
  return bytes;
}

}  // namespace

size_t EstimateBytes(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string: return sizeof(json::value) + value.get_string().capacity() + 1;
    case json::kind::array: {
      const json::array& array = value.get_array();
      size_t bytes = sizeof(json::value) + array.capacity() * sizeof(json::value);
      for (const json::value& item : array) bytes += EstimateBytes(item) - sizeof(json::value);
      return bytes;
    }
    case json::kind::object: return sizeof(json::value) + ObjectBytes(value.get_object());
    default: return sizeof(json::value);
  }
}

size_t EstimateBytes(const RunState& state) {
  size_t bytes = sizeof(RunState) + HeapBytes(state.run_id) + HeapBytes(state.workflow) +
                 HeapBytes(state.idempotency_key) + HeapBytes(state.cursor) +
                 HeapBytes(state.error);
  bytes += ObjectBytes(state.input) + ObjectBytes(state.steps) + EstimateBytes(state.last_output);
  if (state.output) bytes += EstimateBytes(*state.output);
  bytes += state.approvals.capacity() * sizeof(ApprovalView);
  for (const ApprovalView& approval : state.approvals) {
    bytes += ApprovalBytes(approval) - sizeof(ApprovalView);
  }
  return bytes;
}

}  // namespace assent::engine
