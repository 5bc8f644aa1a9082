#include "api/cli/format.h"

#include <algorithm>

#include <boost/json/serialize.hpp>

namespace assent::cli {

namespace json = boost::json;

namespace {

constexpr size_t kMaxValueChars = 60;

std::string Shorten(std::string text) {
  if (text.size() <= kMaxValueChars) return text;
  return text.substr(0, kMaxValueChars - 3) + "...";
}

std::vector<std::vector<std::string>> Rows(const json::array& items,
                                           const std::vector<std::string>& keys) {
  std::vector<std::vector<std::string>> rows;
  for (const json::value& item : items) {
    if (!item.is_object()) continue;
    std::vector<std::string> row;
    for (const std::string& key : keys) row.push_back(Shorten(FieldText(item.get_object(), key)));
    rows.push_back(std::move(row));
  }
  return rows;
}

// An outside agent's gate (POST /v1/gates) rather than a workflow's approval.
bool IsAgentGate(const json::object& approval) {
  const json::value* gate = approval.if_contains("gate");
  return gate != nullptr && gate->is_bool() && gate->get_bool();
}

}  // namespace

std::string FormatTable(const std::vector<std::string>& headers,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const std::string& header : headers) widths.push_back(header.size());
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
      out += cells[i];
      if (i + 1 < cells.size()) out += std::string(widths[i] - cells[i].size() + 2, ' ');
    }
    return out + "\n";
  };
  std::string out = line(headers);
  for (const auto& row : rows) out += line(row);
  return out;
}

std::string FieldText(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return "";
  if (value->is_string()) return std::string(value->get_string());
  return json::serialize(*value);
}

std::string FormatRuns(const json::array& runs) {
  return FormatTable({"RUN", "WORKFLOW", "VERSION", "STATUS", "STARTED", "UPDATED"},
                     Rows(runs, {"run_id", "workflow", "version", "status", "started_at",
                                 "updated_at"}));
}

// A quorum's progress, "1/2" (approvals so far / needed); "" for an approval whose first
// decision decides.
std::string QuorumProgress(const json::object& approval) {
  const json::value* quorum = approval.if_contains("quorum");
  if (quorum == nullptr || !quorum->is_number()) return "";
  size_t approvals = 0;
  const json::value* decisions = approval.if_contains("decisions");
  for (const json::value& decision : decisions && decisions->is_array() ? decisions->get_array()
                                                                        : json::array()) {
    approvals += decision.is_object() && FieldText(decision.get_object(), "decision") == "approve";
  }
  return std::to_string(approvals) + "/" + json::serialize(*quorum);
}

std::string FormatApprovals(const json::array& approvals) {
  auto rows = Rows(approvals, {"id", "status", "run_id", "step_id", "requested_at", "due_at",
                               "message"});
  size_t row = 0;
  for (const json::value& approval : approvals) {
    if (!approval.is_object()) continue;
    rows[row].insert(rows[row].begin() + 2, QuorumProgress(approval.get_object()));
    if (IsAgentGate(approval.get_object())) {  // no run of anyone's: its title says what it is
      rows[row][3] = "agent gate";
      rows[row][4] = Shorten(FieldText(approval.get_object(), "title"));
    }
    ++row;
  }
  return FormatTable(
      {"APPROVAL", "STATUS", "VOTES", "RUN", "STEP", "REQUESTED", "TIMES OUT", "MESSAGE"}, rows);
}

std::string FormatApprovalLine(const json::object& approval) {
  std::string where = IsAgentGate(approval) ? "agent gate \"" + FieldText(approval, "title") + "\""
                                            : "run " + FieldText(approval, "run_id") + " step " +
                                                  FieldText(approval, "step_id");
  std::string out = FieldText(approval, "id") + "  " + FieldText(approval, "status") + "  " +
                    where + "  " + FieldText(approval, "message");
  if (const json::value* show = approval.if_contains("show");
      show && show->is_object() && !show->get_object().empty()) {
    out += "  " + Shorten(json::serialize(*show));
  }
  if (std::string votes = QuorumProgress(approval); !votes.empty()) {
    out += "  approvals " + votes;
  }
  if (std::string rung = FieldText(approval, "escalated"); !rung.empty()) {
    out += "  escalated (rung " + rung + ")";
  }
  if (const json::value* decisions = approval.if_contains("decisions"); decisions && decisions->is_array()) {
    for (const json::value& decision : decisions->get_array()) {
      if (!decision.is_object()) continue;
      const json::object& d = decision.get_object();
      out += "\n    " + FieldText(d, "decision") + " by " + FieldText(d, "reviewer") + " at " +
             FieldText(d, "at") + ": " + FieldText(d, "comment");
    }
  }
  if (const json::value* comments = approval.if_contains("comments"); comments && comments->is_array()) {
    for (const json::value& comment : comments->get_array()) {
      if (!comment.is_object()) continue;
      const json::object& c = comment.get_object();
      out += "\n    comment by " + FieldText(c, "author") + " at " + FieldText(c, "at") + ": " +
             FieldText(c, "text");
    }
  }
  return out;
}

std::string FormatEventLine(const json::object& event) {
  std::string out = FieldText(event, "at") + "  #" + FieldText(event, "seq") + "  " +
                    FieldText(event, "type");
  for (const auto& [key, value] : event) {
    if (key == "at" || key == "seq" || key == "type") continue;
    out += "  " + std::string(key) + "=" + Shorten(FieldText(event, key));
  }
  return out;
}

std::string FormatRunOutcome(const json::object& run) {
  std::string out = "status: " + FieldText(run, "status") + "\n";
  if (run.contains("output")) out += "output: " + FieldText(run, "output") + "\n";
  if (run.contains("error")) out += "error: " + FieldText(run, "error") + "\n";
  if (const json::value* pending = run.if_contains("pending_approvals");
      pending && pending->is_array()) {
    for (const json::value& approval : pending->get_array()) {
      if (approval.is_object()) out += "waiting on " + FormatApprovalLine(approval.get_object()) + "\n";
    }
  }
  return out;
}

std::string FormatTimeline(const json::object& run, const json::array& events) {
  std::string out = "run " + FieldText(run, "run_id") + "  workflow " +
                    FieldText(run, "workflow") + " v" + FieldText(run, "version") + "\n";
  for (const json::value& event : events) {
    if (event.is_object()) out += FormatEventLine(event.get_object()) + "\n";
  }
  return out + FormatRunOutcome(run);
}

}  // namespace assent::cli
