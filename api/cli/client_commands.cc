// The subcommands that make one or two REST calls and print the answer: apply, start, runs,
// show, approvals, approve, reject.
#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

#include <boost/json/serialize.hpp>

#include "api/cli/client.h"
#include "api/cli/command.h"
#include "api/cli/format.h"
#include "api/cli/server_call.h"
#include "api/protocol/wait.h"
#include "base/json_text.h"

namespace assent::cli {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

// The array at `key` of a list answer ({"runs": [...]}), empty if missing.
const json::array& ListField(const json::object& body, std::string_view key) {
  static const json::array kEmpty;
  const json::value* value = body.if_contains(key);
  return value != nullptr && value->is_array() ? value->get_array() : kEmpty;
}

// A query string built from flags: "?key=value&..." of the flags that were given.
class Query {
 public:
  // Adds `key` with the value of flag `flag`, when given.
  Query& Flag(const ParsedArgs& args, std::string_view flag, std::string_view key) {
    if (std::optional<std::string> value = args.Get(std::string(flag))) Add(key, *value);
    return *this;
  }
  Query& Add(std::string_view key, std::string_view value) {
    text_ += (text_.empty() ? "?" : "&") + std::string(key) + "=" + Encode(value);
    return *this;
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// A page of a list ({key: [...], "next"?}) as a table, then how to ask for the next page.
int PrintPage(const ParsedArgs& args, const json::value& body, std::string_view key,
              const std::function<std::string(const json::array&)>& table) {
  return Print(args, body, [&](const json::object& page) {
    std::string out = table(ListField(page, key));
    if (const json::value* next = page.if_contains("next"); next != nullptr && next->is_string()) {
      out += "more: --after " + std::string(next->get_string()) + "\n";
    }
    return out;
  });
}

// As the server will read it: a number no double holds or a key named twice is refused here,
// with the same words, rather than sent.
std::optional<json::value> ParseJsonArgument(std::string_view what, const std::string& text) {
  UntrustedJson parsed = ParseUntrustedJson(text);
  if (parsed.ec) {
    std::cerr << "assent: " << what << " " << parsed.why << "\n";
    return std::nullopt;
  }
  return std::move(parsed.value);
}

int Apply(const ParsedArgs& args) {
  const std::string& path = args.positional[0];
  std::ifstream file(path);
  if (!file) {
    std::cerr << "assent: cannot read " << path << "\n";
    return 1;
  }
  std::stringstream text;
  text << file.rdbuf();
  std::optional<json::value> definition = ParseJsonArgument(path, text.str());
  if (!definition) return 1;
  const json::value* name = definition->is_object() ? definition->get_object().if_contains("name")
                                                    : nullptr;
  if (name == nullptr || !name->is_string() || name->get_string().empty()) {
    std::cerr << "assent: " << path << " needs a non-empty \"name\" field\n";
    return 1;
  }
  std::optional<ApiResponse> response =
      CallServer(args, http::verb::put,
                 "/v1/workflows/" + Encode(name->get_string()), &*definition);
  if (!response) return 1;
  return Print(args, response->body, [](const json::object& workflow) {
    return "applied workflow " + FieldText(workflow, "name") + ", version " +
           FieldText(workflow, "version") + "\n";
  });
}

// `assent start --wait` exits with how the run ended, so scripts need not parse the output.
constexpr int kExitRunFailed = 3;       // failed or cancelled
constexpr int kExitRunUnfinished = 4;   // still running or waiting when the wait ran out

int RunOutcomeExit(const json::value& run) {
  const json::value* status = run.is_object() ? run.get_object().if_contains("status") : nullptr;
  if (status == nullptr || *status == "completed") return 0;
  if (*status == "failed" || *status == "cancelled") return kExitRunFailed;
  return kExitRunUnfinished;
}

int Start(const ParsedArgs& args) {
  std::string target = "/v1/workflows/" + Encode(args.positional[0]) + "/runs";
  std::chrono::milliseconds wait(0);
  if (std::optional<std::string> text = args.Get("wait")) {
    Result<std::chrono::milliseconds> parsed = api::ParseWait(*text);
    if (!parsed.ok()) {
      std::cerr << "assent start: bad --wait \"" << *text << "\": " << parsed.status().message()
                << "\n";
      return 2;
    }
    wait = *parsed;
    target += "?wait=" + Encode(*text);
  }
  std::optional<json::value> input = ParseJsonArgument("--input", args.Get("input").value_or("{}"));
  if (!input) return 1;
  json::value body = json::object{{"input", std::move(*input)}};
  std::vector<std::pair<std::string, std::string>> headers;
  if (std::optional<std::string> key = args.Get("idempotency-key")) {
    headers.emplace_back("Idempotency-Key", *key);
  }
  std::optional<ApiResponse> response =
      CallServer(args, http::verb::post, target, &body, headers, wait);
  if (!response) return 1;
  bool created = response->status == 201;
  Print(args, response->body, [created](const json::object& result) {
    std::string out = (created ? "started run " : "existing run for that idempotency key: ") +
                      FieldText(result, "run_id") + "\n";
    // With --wait the answer is the run itself: how it stands, finished or not.
    if (result.contains("status")) out += FormatRunOutcome(result);
    return out;
  });
  return wait.count() > 0 ? RunOutcomeExit(response->body) : 0;
}

int Runs(const ParsedArgs& args) {
  Query query;
  query.Flag(args, "workflow", "workflow")
      .Flag(args, "status", "status")
      .Flag(args, "older-than", "older_than")
      .Flag(args, "newer-than", "newer_than")
      .Flag(args, "limit", "limit")
      .Flag(args, "after", "after");
  std::optional<ApiResponse> response =
      CallServer(args, http::verb::get, "/v1/runs" + query.text());
  if (!response) return 1;
  return PrintPage(args, response->body, "runs", FormatRuns);
}

int Show(const ParsedArgs& args) {
  std::string target = "/v1/runs/" + Encode(args.positional[0]);
  std::optional<ApiResponse> run = CallServer(args, http::verb::get, target);
  if (!run) return 1;
  std::optional<ApiResponse> events = CallServer(args, http::verb::get, target + "/events");
  if (!events) return 1;
  if (args.Has("json") || !run->body.is_object() || !events->body.is_object()) {
    std::cout << json::serialize(json::object{{"run", run->body}, {"events", events->body}})
              << "\n";
    return 0;
  }
  std::cout << FormatTimeline(run->body.get_object(),
                              ListField(events->body.get_object(), "events"));
  return 0;
}

int Approvals(const ParsedArgs& args) {
  Query query;
  std::string status = args.Get("status").value_or("pending");
  if (status != "all") query.Add("status", status);
  if (args.Has("mine")) query.Add("assignee", "me");
  query.Flag(args, "workflow", "workflow")
      .Flag(args, "limit", "limit")
      .Flag(args, "after", "after");
  std::optional<ApiResponse> response =
      CallServer(args, http::verb::get, "/v1/approvals" + query.text());
  if (!response) return 1;
  return PrintPage(args, response->body, "approvals", FormatApprovals);
}

// `--edit FIELD=VALUE`, repeated: VALUE is read as JSON when it is JSON (6500, true, [1,2],
// "quoted text"), else taken as text, so `--edit vendor=ACME GmbH` needs no quotes.
std::optional<json::object> ReadEdits(const ParsedArgs& args) {
  json::object edits;
  for (const std::string& edit : args.GetAll("edit")) {
    size_t equals = edit.find('=');
    if (equals == 0 || equals == std::string::npos) {
      std::cerr << "assent approve: --edit takes FIELD=VALUE, not '" << edit << "'\n";
      return std::nullopt;
    }
    std::string_view value = std::string_view(edit).substr(equals + 1);
    UntrustedJson parsed = ParseUntrustedJson(value);
    edits[edit.substr(0, equals)] = parsed.ec ? json::value(json::string(value)) : parsed.value;
  }
  return edits;
}

int Decide(const ParsedArgs& args, std::string_view decision) {
  json::object body{{"decision", decision}, {"comment", args.Get("comment").value_or("")}};
  if (decision == "approve") {
    std::optional<json::object> edits = ReadEdits(args);
    if (!edits) return 2;
    if (!edits->empty()) body["edits"] = std::move(*edits);
  }
  const json::value request(std::move(body));
  std::optional<ApiResponse> response =
      CallServer(args, http::verb::post,
                 "/v1/approvals/" + Encode(args.positional[0]) + "/decision", &request);
  if (!response) return 1;
  return Print(args, response->body,
               [](const json::object& approval) { return FormatApprovalLine(approval) + "\n"; });
}

int Approve(const ParsedArgs& args) { return Decide(args, "approve"); }

int Reject(const ParsedArgs& args) {
  if (args.Get("comment").value_or("").empty()) {
    std::cerr << "assent reject: --comment is required (say why)\n";
    return 2;
  }
  return Decide(args, "reject");
}

const FlagSpec kRunStatusFlag{"status", true,
                              "running, waiting, completed, failed or cancelled", "S"};
const FlagSpec kApprovalStatusFlag{
    "status", true, "pending (default), approved, rejected, cancelled, or all", "S"};
const FlagSpec kWorkflowFlag{"workflow", true, "only those of workflow W", "W"};
const FlagSpec kLimitFlag{"limit", true, "at most N on this page (default 100, at most 1000)",
                          "N"};
const FlagSpec kAfterFlag{"after", true, "the page after this cursor (printed as \"more:\")",
                          "CURSOR"};

}  // namespace

std::vector<Command> ClientCommands() {
  return {
      {"apply", "Store a workflow definition; its \"name\" field names the workflow.", "FILE", 1,
       1, ClientFlags(), Apply},
      {"start", "Start a run of WORKFLOW.", "WORKFLOW", 1, 1,
       ClientFlags({{"input", true, "the run's input, a JSON object (default {})", "JSON"},
                    {"idempotency-key", true, "a retry with the same key returns the same run",
                     "K"},
                    {"wait", true,
                     "print the run once it has finished, waiting at most this (500ms, 30s; "
                     "up to 60s) on top of --timeout-ms; exits 0 if the run completed, 3 if "
                     "it failed or was cancelled, 4 if it had not finished",
                     "DURATION"}}),
       Start},
      {"runs", "List runs, newest first across statuses, a page at a time.", "", 0, 0,
       ClientFlags({kWorkflowFlag,
                    kRunStatusFlag,
                    {"older-than", true, "only runs started before this long ago (24h, 7d) or "
                                         "this time (2026-11-30T04:00:00Z)", "AGE"},
                    {"newer-than", true, "only runs started since then (same forms)", "AGE"},
                    kLimitFlag,
                    kAfterFlag}),
       Runs},
      {"show", "Show a run's timeline, status and output.", "RUN", 1, 1, ClientFlags(), Show},
      {"approvals", "List approvals, newest first, a page at a time.", "", 0, 0,
       ClientFlags({kApprovalStatusFlag,
                    {"mine", false, "only pending approvals you may decide (your inbox)", ""},
                    kWorkflowFlag,
                    kLimitFlag,
                    kAfterFlag}),
       Approvals},
      {"approve", "Approve a pending approval.", "ID", 1, 1,
       ClientFlags({{"comment", true, "an optional comment", "TEXT"},
                    {"edit", true,
                     "replace a shown field before approving (repeatable; VALUE is JSON or text)",
                     "FIELD=VALUE"}}),
       Approve},
      {"reject", "Reject a pending approval; a comment saying why is required.", "ID", 1, 1,
       ClientFlags({{"comment", true, "why (required)", "TEXT"}}), Reject},
  };
}

}  // namespace assent::cli
