// `assent audit`: who did what, newest first. Text prints one page as a table (and how to ask
// for the next); --format jsonl follows the cursor through every page and prints each entry
// as one JSON object per line, for a SIEM to ingest.
#include <chrono>
#include <iostream>

#include <boost/json/serialize.hpp>

#include "api/cli/client.h"
#include "api/cli/command.h"
#include "api/cli/format.h"
#include "api/protocol/audit_time.h"

namespace assent::cli {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

// Flag -> query parameter, for the filters passed through as given.
constexpr std::pair<const char*, const char*> kFilters[] = {
    {"workflow", "workflow"}, {"actor", "actor"}, {"run", "run"}, {"approval", "approval"},
    {"since", "since"},       {"until", "until"}, {"limit", "limit"}};

// The page's target: the filters, then the cursor to go on from (empty: the newest).
std::string Target(const ParsedArgs& args, const std::string& after) {
  std::string target = "/v1/audit";
  char separator = '?';
  auto add = [&](std::string_view key, const std::string& value) {
    target += separator;
    target.append(key).append("=").append(Encode(value));
    separator = '&';
  };
  for (const auto& [flag, parameter] : kFilters) {
    if (std::optional<std::string> value = args.Get(flag)) add(parameter, *value);
  }
  if (!after.empty()) add("after", after);
  return target;
}

// "approval.decided approve", "comment.added", "user.added alice", ...
std::string What(const json::object& entry) {
  std::string what = FieldText(entry, "action");
  if (entry.contains("decision")) what += " " + FieldText(entry, "decision");
  if (entry.contains("edit_diff")) what += " with edits";
  if (entry.contains("subject")) what += " " + FieldText(entry, "subject");
  return what;
}

std::string FormatAudit(const json::array& entries) {
  std::vector<std::vector<std::string>> rows;
  for (const json::value& value : entries) {
    if (!value.is_object()) continue;
    const json::object& entry = value.get_object();
    std::string said = entry.contains("reason") ? FieldText(entry, "reason")
                                                : FieldText(entry, "comment");
    rows.push_back({FieldText(entry, "at"), FieldText(entry, "actor"), What(entry),
                    FieldText(entry, "workflow"), FieldText(entry, "run_id"),
                    FieldText(entry, "approval_id"), said});
  }
  return FormatTable({"TIME", "ACTOR", "WHAT", "WORKFLOW", "RUN", "APPROVAL", "COMMENT"}, rows);
}

// Checks what the server would refuse, with the same words, before calling it.
bool UsageOk(const ParsedArgs& args) {
  std::string format = args.Get("format").value_or("text");
  if (format != "text" && format != "jsonl") {
    std::cerr << "assent audit: --format must be text or jsonl\n";
    return false;
  }
  int64_t now_ms = 0;  // only the syntax is checked here; the server counts from its clock
  for (const char* flag : {"since", "until"}) {
    if (std::optional<std::string> text = args.Get(flag)) {
      Result<int64_t> at = api::ParseAuditTime(*text, std::string("--") + flag, now_ms);
      if (!at.ok()) {
        std::cerr << "assent audit: " << at.status().message() << "\n";
        return false;
      }
    }
  }
  return true;
}

int Audit(const ParsedArgs& args) {
  if (!UsageOk(args)) return 2;
  Result<ClientConfig> config = ResolveClientConfig(args);
  if (!config.ok()) {
    std::cerr << "assent: " << config.status().message() << "\n";
    return 1;
  }
  ApiClient client(std::move(config).value());
  const bool jsonl = args.Get("format").value_or("text") == "jsonl";
  std::string after = args.Get("after").value_or("");
  do {
    Result<ApiResponse> response = client.Call(http::verb::get, Target(args, after));
    if (!response.ok()) {
      std::cerr << "assent: " << response.status().message() << "\n";
      return 1;
    }
    const json::value& body = response->body;
    const json::object empty;
    const json::object& page = body.is_object() ? body.get_object() : empty;
    const json::value* entries = page.if_contains("entries");
    const json::value* next = page.if_contains("next");
    after = next != nullptr && next->is_string() ? std::string(next->get_string()) : "";
    if (!jsonl) {
      if (args.Has("json")) {
        std::cout << json::serialize(body) << "\n";
      } else {
        std::cout << FormatAudit(entries != nullptr && entries->is_array() ? entries->get_array()
                                                                           : json::array());
        if (!after.empty()) std::cout << "more: --after " << after << "\n";
      }
      return 0;
    }
    if (entries != nullptr && entries->is_array()) {
      for (const json::value& entry : entries->get_array()) {
        std::cout << json::serialize(entry) << "\n";
      }
    }
  } while (!after.empty());
  std::cout << std::flush;
  return 0;
}

}  // namespace

Command AuditCommand() {
  return {"audit",
          "Who started, decided, commented on and cancelled what, newest first.",
          "",
          0,
          0,
          ClientFlags({{"workflow", true, "only this workflow's runs", "W"},
                       {"actor", true, "only what this user or service account did", "A"},
                       {"run", true, "only this run", "RUN"},
                       {"approval", true, "only this approval's decisions and comments", "ID"},
                       {"since", true,
                        "at or after this time: RFC 3339 (2026-11-30T09:00:00Z) or a duration "
                        "back from now (24h, 7d)",
                        "T"},
                       {"until", true, "before this time (as --since)", "T"},
                       {"limit", true, "entries per page, 1 to 1000 (default 100)", "N"},
                       {"after", true, "go on after this cursor (a page's next)", "C"},
                       {"format", true,
                        "text (default: one page as a table) or jsonl (every matching entry, "
                        "one JSON object per line, following every page)",
                        "F"}}),
          Audit};
}

}  // namespace assent::cli
