#include "engine/internal/approval_edits.h"

#include <algorithm>
#include <string>

#include <boost/json/serialize.hpp>

#include "base/json_diff.h"
#include "base/json_text.h"
#include "engine/internal/limits.h"

namespace assent::engine {

namespace json = boost::json;

namespace {

std::string Joined(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

Status CheckEditedField(const StepDefinition& step, const ApprovalView& approval,
                        const std::string& field) {
  if (!approval.show.contains(field)) {
    return Status::InvalidArgument("approval " + approval.id + " shows no field '" + field +
                                   "' to edit");
  }
  const std::vector<std::string>& allowed = step.editable_fields;
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), field) == allowed.end()) {
    return Status::InvalidArgument("step '" + step.id + "' allows edits only to " +
                                   Joined(allowed) + ", not to '" + field + "'");
  }
  return Status::Ok();
}

}  // namespace

Result<json::array> CheckEdits(const StepDefinition& step, const ApprovalView& approval,
                               const json::object& edits, size_t max_show_bytes) {
  if (!step.edits_allowed) {
    return Status::InvalidArgument("step '" + step.id +
                                   "' takes no edits: its definition does not set \"edits\"");
  }
  if (approval.quorum > 1) {
    return Status::InvalidArgument(
        "approval " + approval.id + " needs " + std::to_string(approval.quorum) +
        " approvals: edits are taken only where one approval decides, since each voter approves "
        "what was shown");
  }
  json::object edited = approval.show;
  for (const auto& [field, value] : edits) {
    std::string name(field);
    if (Status allowed = CheckEditedField(step, approval, name); !allowed.ok()) return allowed;
    edited[name] = value;
  }
  if (Status writable = CheckJsonWritable(edited, "the edited show"); !writable.ok()) {
    return writable;
  }
  if (Status sized = CheckSize("the edited show", json::serialize(edited).size(), max_show_bytes,
                               "max_approval_show_bytes");
      !sized.ok()) {
    return sized;
  }
  return JsonDiff(approval.show, edited);
}

}  // namespace assent::engine
