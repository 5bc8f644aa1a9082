// The subcommands of a workflow's versions and lifecycle, over /v1/workflows/{name}/...:
// `assent versions NAME`, `assent diff NAME [FROM TO]`, `assent disable NAME`,
// `assent enable NAME`.
#include <string>
#include <vector>

#include <boost/json/serialize.hpp>

#include "api/cli/command.h"
#include "api/cli/format.h"
#include "api/cli/server_call.h"

namespace assent::cli {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

std::string WorkflowTarget(const ParsedArgs& args) {
  return "/v1/workflows/" + Encode(args.positional[0]);
}

std::string StepCount(const json::object& version) {
  const json::value* definition = version.if_contains("definition");
  const json::value* steps = definition != nullptr && definition->is_object()
                                 ? definition->as_object().if_contains("steps")
                                 : nullptr;
  return steps != nullptr && steps->is_array() ? std::to_string(steps->as_array().size()) : "";
}

int Versions(const ParsedArgs& args) {
  std::optional<ApiResponse> response =
      CallServer(args, http::verb::get, WorkflowTarget(args) + "/versions");
  if (!response) return 1;
  return Print(args, response->body, [](const json::object& body) {
    std::vector<std::vector<std::string>> rows;
    for (const json::value& version : ListField(body, "versions")) {
      if (!version.is_object()) continue;
      const json::object& v = version.as_object();
      rows.push_back({FieldText(v, "version"), StepCount(v),
                      v.contains("disabled") ? "disabled" : "enabled"});
    }
    return FormatTable({"VERSION", "STEPS", "STATE"}, rows);
  });
}

// One line per change: "~ /steps/review/timeout: "1h" -> "24h"".
std::string ChangeLines(const json::object& diff) {
  std::string out = "workflow " + FieldText(diff, "workflow") + ": version " +
                    FieldText(diff, "from") + " -> " + FieldText(diff, "to") + "\n";
  const json::array& changes = ListField(diff, "changes");
  if (changes.empty()) return out + "  no changes\n";
  for (const json::value& change : changes) {
    if (!change.is_object()) continue;
    const json::object& c = change.as_object();
    std::string op = FieldText(c, "op");
    std::string line = (op == "added" ? "+ " : op == "removed" ? "- " : "~ ") +
                       FieldText(c, "path") + ": ";
    if (op == "added") {
      line += FieldText(c, "after");
    } else if (op == "removed") {
      line += FieldText(c, "before");
    } else {
      line += json::serialize(c.at("before")) + " -> " + json::serialize(c.at("after"));
    }
    out += "  " + line + "\n";
  }
  return out;
}

int Diff(const ParsedArgs& args) {
  std::string query;
  if (args.positional.size() >= 2) query = "?from=" + Encode(args.positional[1]);
  if (args.positional.size() == 3) query += "&to=" + Encode(args.positional[2]);
  std::optional<ApiResponse> response =
      CallServer(args, http::verb::get, WorkflowTarget(args) + "/diff" + query);
  if (!response) return 1;
  return Print(args, response->body, ChangeLines);
}

int SetDisabled(const ParsedArgs& args, bool disabled) {
  std::optional<ApiResponse> response = CallServer(
      args, http::verb::post, WorkflowTarget(args) + (disabled ? "/disable" : "/enable"));
  if (!response) return 1;
  return Print(args, response->body, [](const json::object& workflow) {
    return "workflow " + FieldText(workflow, "name") + " is " +
           (workflow.contains("disabled") ? "disabled" : "enabled") + " (version " +
           FieldText(workflow, "version") + ")\n";
  });
}

int Disable(const ParsedArgs& args) { return SetDisabled(args, true); }
int Enable(const ParsedArgs& args) { return SetDisabled(args, false); }

}  // namespace

std::vector<Command> WorkflowCommands() {
  return {
      {"versions", "List a workflow's versions, newest first.", "WORKFLOW", 1, 1, ClientFlags(),
       Versions},
      {"diff", "What changed from version FROM (default: the one before TO) to TO (default: the latest).",
       "WORKFLOW [FROM [TO]]", 1, 3, ClientFlags(), Diff},
      {"disable", "Stop new runs of a workflow; its running runs finish.", "WORKFLOW", 1, 1,
       ClientFlags(), Disable},
      {"enable", "Take new runs of a disabled workflow again.", "WORKFLOW", 1, 1, ClientFlags(),
       Enable},
  };
}

}  // namespace assent::cli
