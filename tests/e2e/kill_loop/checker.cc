#include "tests/e2e/kill_loop/checker.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include <boost/json/serialize.hpp>

#include "tests/e2e/kill_loop/check_failed.h"
#include "tests/e2e/kill_loop/json_fields.h"
#include "tests/e2e/kill_loop/run_log_check.h"
#include "tests/e2e/kill_loop/side_effect_check.h"
#include "tests/e2e/kill_loop/workflow.h"

namespace assent::testing::kill_loop {

namespace json = boost::json;

namespace {

// A run with no pending approval must finish within this after the restart (http retries back
// off 200, 400, 800 ms; a loaded machine adds to that).
constexpr auto kFinishWithin = std::chrono::seconds(30);
// The timed workflow's approvals time out 1 s after their request; the engine looks at its clock
// at least once a second. Bounded generously: a loaded machine takes longer.
constexpr auto kTimersWithin = std::chrono::seconds(30);
// Polled with ?wait= this long: answered at once when the run finishes, and short because a run
// may instead go on to wait for an approval, which ends no wait.
constexpr const char* kPollWait = "500ms";
constexpr auto kRequestTimeout = std::chrono::seconds(40);
// The most the server lists; a full page would hide runs or approvals from the checks.
constexpr size_t kListLimit = 1000;
constexpr size_t kFinishedSample = 30;
constexpr size_t kHotApprovals = 8;  // see Load::PickApproval
constexpr size_t kOlderTokensSample = 3;

std::string Brief(const json::value& value) { return json::serialize(value).substr(0, 400); }

HttpReply GetOk(ApiClient& api, const std::string& target) {
  HttpReply reply = api.Get(target);
  if (reply.status != 200) {
    throw CheckFailed("GET " + target + " answered " + std::to_string(reply.status) + ": " +
                      reply.raw.substr(0, 300));
  }
  return reply;
}

const json::array& ListAt(const HttpReply& reply, const char* key, const std::string& target) {
  const json::array& items = ArrayAt(reply.body, key);
  if (items.size() >= kListLimit) {
    throw CheckFailed("GET " + target + " is a full page (" + std::to_string(items.size()) +
                      "): the check cannot see them all; the load leaves too many open");
  }
  return items;
}

}  // namespace

CheckReport Checker::Run(uint16_t port, const std::string& token, std::mt19937_64& random,
                         bool everything, const std::set<std::string>& pending_gates,
                         WorkingSet& work) {
  FailOnAnomalies();
  ApiClient api(port, token, kRequestTimeout);
  AwaitTimedApprovalsEnd(api);
  DiscoverRuns(api);
  std::set<std::string> runs = RunsToCheck(random, everything);

  // First every run settles: after that nothing changes until the next round's load.
  std::map<std::string, json::value> views;
  for (const std::string& run_id : runs) views[run_id] = Settle(api, run_id);

  SideEffectIndex effects(target_.Requests());
  std::multimap<std::string, std::string> approvals_of_run;  // every approval the ledger knows
  for (const auto& [approval_id, facts] : ledger_.approvals()) {
    approvals_of_run.emplace(facts.run_id, approval_id);
  }
  CheckReport report;
  std::vector<std::string> approvals_seen;
  for (const auto& [run_id, view] : views) {
    HttpReply events = GetOk(api, "/v1/runs/" + run_id + "/events");
    const boost::json::array& logged_events = ArrayAt(events.body, "events");
    report.longest_log = std::max(report.longest_log, logged_events.size());
    LoggedRun run = FoldEvents(run_id, logged_events);
    CheckRunView(run, view);
    CheckRunFacts(run, ledger_);
    CheckRunSideEffects(run, effects);
    std::set<std::string> approval_ids;
    for (const auto& [id, logged] : run.approvals) {
      approval_ids.insert(id);
      report.timed_out += logged.status == "timed_out";
      report.with_votes += (logged.status == "pending" || logged.status == "timed_out") &&
                           !logged.decisions.empty();
      report.escalated += logged.escalations > 0;
      report.edited += logged.edited;
      report.gates += id == run.pay_gate;
    }
    for (auto [it, end] = approvals_of_run.equal_range(run_id); it != end; ++it) {
      approval_ids.insert(it->second);
    }
    for (const std::string& approval_id : approval_ids) {
      HttpReply approval = GetOk(api, "/v1/approvals/" + approval_id);
      auto acked = ledger_.approvals().find(approval_id);
      CheckApproval(run, approval_id, approval.body,
                    acked == ledger_.approvals().end() ? nullptr : &acked->second);
      approvals_seen.push_back(approval_id);
      if (work.hot_approvals.size() < kHotApprovals) work.hot_approvals.push_back(approval_id);
      ++report.approvals;
    }
    if (IsFinished(run.status)) ledger_.MarkFinished(run_id);
    const json::value* told = FieldAt(view, "steps");
    told = told != nullptr ? FieldAt(*told, kTellStep) : nullptr;
    if (told != nullptr) report.notices.push_back(StringAt(*told, "delivery_id"));
  }
  CheckAcknowledgedIdentities();
  CheckUsers(api, port, random);
  CheckDecisionsAudited(api, approvals_seen);
  CheckStatusIndexAgrees(api, views);
  std::map<std::string, std::string> pending =
      CheckPendingAgree(api, port, token, views, pending_gates);

  // The next round's load starts from what the server shows now.
  work.pending = pending;
  work.approvals = approvals_seen;
  work.open_runs.clear();
  for (const auto& [run_id, facts] : ledger_.runs()) {
    if (!facts.verified_finished) work.open_runs.push_back(run_id);
  }
  work.failed_runs.clear();
  for (const auto& [run_id, view] : views) {
    if (StringAt(view, "status") == "failed") work.failed_runs.push_back(run_id);
  }
  report.runs = views.size();
  report.users = ledger_.users().size();
  report.pending = pending.size();
  report.requests = effects.requests();
  report.failed_on_purpose = effects.failed_on_purpose();
  report.side_effects = effects.side_effects();
  return report;
}

void Checker::CheckUsers(ApiClient& api, uint16_t port, std::mt19937_64& random) {
  const std::map<std::string, UserFact>& users = ledger_.users();
  if (users.empty()) return;
  std::set<std::string> listed;
  HttpReply reply = GetOk(api, "/v1/users");
  for (const json::value& user : ListAt(reply, "users", "/v1/users")) {
    listed.insert(StringAt(user, "id"));
  }
  int latest = 0;
  for (const auto& entry : users) {
    if (!listed.contains(entry.first)) {
      throw CheckFailed("acknowledged user " + entry.first + " (round " +
                        std::to_string(entry.second.round) + ") is not listed after the restart");
    }
    latest = std::max(latest, entry.second.round);
  }
  using Entry = const std::pair<const std::string, UserFact>*;
  std::vector<Entry> to_sign_in;
  std::vector<Entry> older;
  for (const auto& entry : users) {
    (entry.second.round == latest ? to_sign_in : older).push_back(&entry);
  }
  for (size_t i = 0; i < kOlderTokensSample && !older.empty(); ++i) {
    to_sign_in.push_back(older[random() % older.size()]);
  }
  for (const auto* entry : to_sign_in) {
    HttpReply me = ApiClient(port, entry->second.token, kRequestTimeout).Get("/v1/me");
    if (me.status != 200 || StringAt(me.body, "id") != entry->first) {
      throw CheckFailed("the token of acknowledged user " + entry->first +
                        " no longer signs in: " + std::to_string(me.status) + " " +
                        me.raw.substr(0, 200));
    }
  }
}

void Checker::FailOnAnomalies() {
  const std::vector<std::string>& anomalies = ledger_.anomalies();
  if (anomalies.size() == anomalies_seen_) return;
  std::string message = "the server gave answers it should never give during the load:";
  for (size_t i = anomalies_seen_; i < anomalies.size() && i < anomalies_seen_ + 10; ++i) {
    message += "\n  " + anomalies[i];
  }
  anomalies_seen_ = anomalies.size();
  throw CheckFailed(message);
}

void Checker::AwaitTimedApprovalsEnd(ApiClient& api) {
  std::string target = std::string("/v1/approvals?status=pending&limit=1&workflow=") +
                       kTimedWorkflowName;
  auto deadline = std::chrono::steady_clock::now() + kTimersWithin;
  for (;;) {
    HttpReply reply = GetOk(api, target);
    const json::array& pending = ListAt(reply, "approvals", target);
    if (pending.empty()) return;
    if (std::chrono::steady_clock::now() > deadline) {
      throw CheckFailed("approval " + StringAt(pending[0], "id") + " of " + kTimedWorkflowName +
                        " (due " + StringAt(pending[0], "due_at") + ") is still pending " +
                        std::to_string(kTimersWithin.count()) +
                        " s after the restart: its timer did not fire");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // poll interval, not a sync
  }
}

void Checker::DiscoverRuns(ApiClient& api) {
  for (const char* status : {"running", "waiting"}) {
    std::string target = std::string("/v1/runs?status=") + status + "&limit=" +
                         std::to_string(kListLimit);
    HttpReply reply = GetOk(api, target);
    for (const json::value& run : ListAt(reply, "runs", target)) {
      ledger_.SawRun(StringAt(run, "run_id"));
    }
  }
  std::string target = "/v1/approvals?status=pending&limit=" + std::to_string(kListLimit);
  HttpReply reply = GetOk(api, target);
  for (const json::value& approval : ListAt(reply, "approvals", target)) {
    if (FieldAt(approval, "gate") != nullptr) continue;
    ledger_.SawApproval(StringAt(approval, "id"), StringAt(approval, "run_id"));
  }
  for (const SideEffectRequest& request : target_.Requests()) {
    if (std::string run_id = RunIdOfKey(request.key); !run_id.empty()) ledger_.SawRun(run_id);
  }
}

std::set<std::string> Checker::RunsToCheck(std::mt19937_64& random, bool everything) {
  std::set<std::string> runs = ledger_.TakeTouched();
  std::vector<std::string> finished;
  for (const auto& [run_id, facts] : ledger_.runs()) {
    if (everything || !facts.verified_finished) {
      runs.insert(run_id);
    } else if (!runs.contains(run_id)) {
      finished.push_back(run_id);
    }
  }
  for (size_t i = 0; i < kFinishedSample && !finished.empty(); ++i) {
    runs.insert(finished[random() % finished.size()]);
  }
  return runs;
}

json::value Checker::Settle(ApiClient& api, const std::string& run_id) {
  auto deadline = std::chrono::steady_clock::now() + kFinishWithin;
  std::string target = "/v1/runs/" + run_id;
  for (HttpReply reply = api.Get(target);; reply = api.Get(target + "?wait=" + kPollWait)) {
    if (reply.status == 404) {
      auto facts = ledger_.runs().find(run_id);
      if (facts != ledger_.runs().end() && facts->second.acked_in_round > 0) {
        throw CheckFailed("acknowledged start lost: run " + run_id + " (tag " + facts->second.tag +
                          ", acknowledged in round " +
                          std::to_string(facts->second.acked_in_round) +
                          ") is not found after the restart");
      }
      throw CheckFailed("run " + run_id + " was named by the server (a notification, a view or "
                        "an http step's key) but is not found after the restart");
    }
    if (reply.status != 200) {
      throw CheckFailed("GET " + target + " answered " + std::to_string(reply.status) + ": " +
                        reply.raw.substr(0, 300));
    }
    std::string status = StringAt(reply.body, "status");
    if (IsFinished(status)) return reply.body;
    if (status == "waiting" && !ArrayAt(reply.body, "pending_approvals").empty()) {
      return reply.body;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw CheckFailed("run " + run_id + " has no pending approval but did not finish within " +
                        std::to_string(kFinishWithin.count()) + " s after the restart; it is " +
                        status + ": " + Brief(reply.body));
    }
  }
}

std::map<std::string, std::string> Checker::CheckPendingAgree(
    ApiClient& api, uint16_t port, const std::string& token,
    const std::map<std::string, json::value>& views, const std::set<std::string>& pending_gates) {
  // Runs not checked this round were seen finished before: they have no pending approval.
  std::map<std::string, std::string> in_runs;
  for (const auto& [run_id, view] : views) {
    for (const json::value& approval : ArrayAt(view, "pending_approvals")) {
      in_runs[StringAt(approval, "id")] = run_id;
    }
  }
  for (const std::string& gate_id : pending_gates) in_runs[gate_id] = "(a gate's)";
  std::string target = "/v1/approvals?status=pending&limit=" + std::to_string(kListLimit);
  HttpReply listed = GetOk(api, target);
  std::map<std::string, std::string> in_index;
  for (const json::value& approval : ListAt(listed, "approvals", target)) {
    in_index[StringAt(approval, "id")] = StringAt(approval, "run_id");
  }
  // The pending tally behind the dashboard's count is rebuilt from the index at every start:
  // for the admin, who may decide them all, it counts exactly what the index lists.
  HttpReply counted = GetOk(api, "/v1/approvals/count?assignee=me");
  const json::value* count = FieldAt(counted.body, "count");
  if (count == nullptr || !count->is_int64() ||
      count->as_int64() != static_cast<int64_t>(in_index.size())) {
    throw CheckFailed("GET /v1/approvals/count?assignee=me says " + Brief(counted.body) +
                      " after the restart, but " + std::to_string(in_index.size()) +
                      " approvals are pending");
  }
  StreamClient reviewer(port, token, StreamClient::Auth::kHeader);
  json::value snapshot = reviewer.Read(std::chrono::seconds(30));
  if (StringAt(snapshot, "type") != "snapshot") {
    throw CheckFailed("a reviewer connecting after the restart got " + Brief(snapshot) +
                      " first, not the snapshot");
  }
  std::map<std::string, std::string> in_snapshot;
  for (const json::value& approval : ArrayAt(snapshot, "pending")) {
    in_snapshot[StringAt(approval, "id")] = StringAt(approval, "run_id");
  }

  auto differ = [&](const std::map<std::string, std::string>& a, const char* a_name,
                    const std::map<std::string, std::string>& b, const char* b_name) {
    std::string missing;
    for (const auto& [id, run_id] : a) {
      if (b.contains(id)) continue;
      HttpReply run = api.Get("/v1/runs/" + run_id);
      missing += "\n  approval " + id + " of run " + run_id + " (now " +
                 StringAt(run.body, "status") + ") is in " + a_name + " but not in " + b_name;
    }
    return missing;
  };
  const char* kSnapshot = "the WebSocket snapshot";
  const char* kIndex = "GET /v1/approvals?status=pending";
  const char* kRuns = "the pending approvals of GET /v1/runs/{id}";
  std::string differences = differ(in_snapshot, kSnapshot, in_index, kIndex) +
                            differ(in_index, kIndex, in_snapshot, kSnapshot) +
                            differ(in_runs, kRuns, in_snapshot, kSnapshot) +
                            differ(in_snapshot, kSnapshot, in_runs, kRuns);
  if (!differences.empty()) {
    throw CheckFailed("pending approvals disagree after the restart (" +
                      std::to_string(in_snapshot.size()) + " in the snapshot, " +
                      std::to_string(in_index.size()) + " listed, " +
                      std::to_string(in_runs.size()) + " in runs):" + differences);
  }
  for (const std::string& gate_id : pending_gates) in_index.erase(gate_id);
  return in_index;
}

void Checker::CheckStatusIndexAgrees(ApiClient& api,
                                     const std::map<std::string, json::value>& views) {
  // Runs not checked this round were seen finished before, so they are neither.
  std::set<std::string> waiting;
  for (const auto& [run_id, view] : views) {
    if (StringAt(view, "status") == "waiting") waiting.insert(run_id);
  }
  for (const char* status : {"running", "waiting"}) {
    std::string target = std::string("/v1/runs?status=") + status + "&limit=" +
                         std::to_string(kListLimit);
    HttpReply reply = GetOk(api, target);
    std::set<std::string> listed;
    for (const json::value& run : ListAt(reply, "runs", target)) {
      std::string run_id = StringAt(run, "run_id");
      if (StringAt(run, "status") != status) {
        throw CheckFailed("run " + run_id + " is indexed as " + status + " but its log says " +
                          StringAt(run, "status") + " (GET " + target + ")");
      }
      listed.insert(run_id);
    }
    const std::set<std::string>& expected = std::string(status) == "waiting" ? waiting
                                                                             : std::set<std::string>{};
    for (const std::string& run_id : listed) {
      if (!expected.contains(run_id)) {
        throw CheckFailed("GET " + target + " lists run " + run_id + ", which has settled as " +
                          (views.contains(run_id) ? StringAt(views.at(run_id), "status")
                                                  : std::string("finished (an earlier round)")));
      }
    }
    for (const std::string& run_id : expected) {
      if (!listed.contains(run_id)) {
        throw CheckFailed("run " + run_id + " waits for an approval but GET " + target +
                          " does not list it: the index lost it");
      }
    }
  }
}

void Checker::CheckDecisionsAudited(ApiClient& api, const std::vector<std::string>& approval_ids) {
  for (const std::string& approval_id : approval_ids) {
    auto acked = ledger_.approvals().find(approval_id);
    if (acked == ledger_.approvals().end() || acked->second.decisions.empty()) continue;
    std::string target = "/v1/audit?approval=" + approval_id + "&limit=1000";
    HttpReply audit = GetOk(api, target);
    std::vector<std::string> decided;
    for (const json::value& entry : ListAt(audit, "entries", target)) {
      if (entry.at("action") == "approval.decided") {
        decided.emplace_back(entry.at("decision").as_string());
      }
    }
    if (decided.size() != 1 || decided[0] != acked->second.decisions[0].decision) {
      throw CheckFailed("approval " + approval_id + ": an acknowledged decision to " +
                        acked->second.decisions[0].decision + " has " +
                        std::to_string(decided.size()) + " audit entries: " + Brief(audit.body));
    }
  }
}

void Checker::CheckAcknowledgedIdentities() {
  for (const auto& [key, run_ids] : ledger_.runs_by_key()) {
    if (run_ids.size() > 1) {
      throw CheckFailed("starts with Idempotency-Key " + key + " were acknowledged with " +
                        std::to_string(run_ids.size()) + " different runs: " + *run_ids.begin() +
                        ", " + *std::next(run_ids.begin()));
    }
  }
  for (const auto& [tag, run_ids] : ledger_.runs_by_tag()) {
    if (run_ids.size() > 1) {
      throw CheckFailed("one logical start (tag " + tag + ") was acknowledged as " +
                        std::to_string(run_ids.size()) + " runs: " + *run_ids.begin() + ", " +
                        *std::next(run_ids.begin()));
    }
  }
  for (const auto& [approval_id, facts] : ledger_.approvals()) {
    if (facts.decisions.size() > 1) {
      const DecisionFact& a = facts.decisions[0];
      const DecisionFact& b = facts.decisions[1];
      throw CheckFailed("approval " + approval_id + " (run " + facts.run_id + "): two decisions "
                        "were acknowledged: " + a.decision + " via " + a.via + " in round " +
                        std::to_string(a.round) + " and " + b.decision + " via " + b.via +
                        " in round " + std::to_string(b.round));
    }
  }
}

}  // namespace assent::testing::kill_loop
