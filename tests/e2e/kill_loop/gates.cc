#include "tests/e2e/kill_loop/gates.h"

#include <chrono>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/serialize.hpp>

#include "tests/e2e/kill_loop/check_failed.h"
#include "tests/e2e/kill_loop/json_fields.h"
#include "tests/e2e/kill_loop/paging.h"

namespace assent::testing::kill_loop {
namespace {

namespace json = boost::json;

constexpr auto kClientTimeout = std::chrono::seconds(20);
constexpr int kGateEditedAmount = 1;
// The agent opens gates only while fewer than this many it knows of are pending, so undecided
// gates do not pile up over the rounds.
constexpr size_t kMaxPendingGates = 20;
// Keyed opens repeated after the restart, per check.
constexpr size_t kReopenedPerCheck = 3;
// The agent's pace: one request this often keeps gates a part of the load (tens a round), not
// most of it.
constexpr auto kPace = std::chrono::milliseconds(10);
constexpr const char* kTitlePrefix = "gate ";

json::object GateRequest(const std::string& tag) {
  return json::object{{"title", kTitlePrefix + tag},
                      {"message", "may the agent act on " + tag + "?"},
                      {"context", json::object{{"tag", tag}, {"amount", 100}}},
                      {"approvers", json::array{"*"}},
                      {"timeout", "7d"}};
}

HttpReply PostGate(ApiClient& agent, const std::string& tag, const std::string& key) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!key.empty()) headers.emplace_back("Idempotency-Key", key);
  return agent.Send("POST", "/v1/gates", json::serialize(GateRequest(tag)), headers);
}

std::string Brief(const HttpReply& reply) {
  return std::to_string(reply.status) + " " + reply.raw.substr(0, 300);
}

}  // namespace

void GateLedger::AckOpen(const std::string& gate_id, const GateFacts& facts) {
  std::lock_guard lock(mutex_);
  auto [it, added] = gates_.emplace(gate_id, facts);
  if (added) ++opened_[facts.round];
  if (!facts.key.empty()) by_key_.emplace(facts.key, gate_id);
}

void GateLedger::Found(const std::string& gate_id, const GateFacts& facts) {
  std::lock_guard lock(mutex_);
  gates_.emplace(gate_id, facts);
}

void GateLedger::AckDecision(const std::string& gate_id, const std::string& decision,
                             const std::string& comment, bool edited) {
  std::lock_guard lock(mutex_);
  GateFacts& gate = gates_[gate_id];
  if (!gate.decision.empty()) {
    anomalies_.push_back("gate " + gate_id + " got a second acknowledged decision");
  }
  gate.closed = true;
  gate.decision = decision;
  gate.comment = comment;
  gate.edited = edited;
  ++decided_[gate.round];
}

void GateLedger::Closed(const std::string& gate_id) {
  std::lock_guard lock(mutex_);
  gates_[gate_id].closed = true;
}

void GateLedger::Settled(const std::string& gate_id) {
  std::lock_guard lock(mutex_);
  gates_[gate_id].settled = true;
}

void GateLedger::Anomaly(const std::string& what) {
  std::lock_guard lock(mutex_);
  anomalies_.push_back(what);
}

std::map<std::string, GateFacts> GateLedger::gates() const {
  std::lock_guard lock(mutex_);
  return gates_;
}

std::map<std::string, std::string> GateLedger::gate_by_key() const {
  std::lock_guard lock(mutex_);
  return by_key_;
}

std::vector<std::string> GateLedger::TakeAnomalies() {
  std::lock_guard lock(mutex_);
  return std::exchange(anomalies_, {});
}

int GateLedger::opened_in_round(int round) const {
  std::lock_guard lock(mutex_);
  auto it = opened_.find(round);
  return it == opened_.end() ? 0 : it->second;
}

int GateLedger::decided_in_round(int round) const {
  std::lock_guard lock(mutex_);
  auto it = decided_.find(round);
  return it == decided_.end() ? 0 : it->second;
}

GateAgent::GateAgent(uint16_t port, std::string agent_token, std::string admin_token, int round,
                     uint64_t seed, GateLedger& ledger)
    : port_(port),
      agent_token_(std::move(agent_token)),
      admin_token_(std::move(admin_token)),
      round_(round),
      seed_(seed),
      ledger_(ledger) {}

GateAgent::~GateAgent() { Join(); }

void GateAgent::Start() { thread_ = std::thread([this] { Work(); }); }

void GateAgent::Join() {
  if (thread_.joinable()) thread_.join();
}

void GateAgent::Work() {
  std::mt19937_64 random(seed_ + 7001);
  try {
    ApiClient agent(port_, agent_token_, kClientTimeout);
    ApiClient admin(port_, admin_token_, kClientTimeout);
    for (int n = 0; !killed_; ++n) {
      std::vector<std::string> pending;
      for (const auto& [id, facts] : ledger_.gates()) {
        if (!facts.closed) pending.push_back(id);
      }
      if (!pending.empty() && (pending.size() >= kMaxPendingGates || random() % 2 == 0)) {
        Decide(admin, random, pending[random() % pending.size()]);
      } else {
        Open(agent, random, n);
      }
      std::this_thread::sleep_for(kPace);  // pacing the load, not waiting for anything
    }
  } catch (const std::exception& error) {
    // After the kill a failed request is a cut-off one; before it, the server misbehaved.
    if (!killed_) ledger_.Anomaly(std::string("gate agent: ") + error.what());
  }
}

void GateAgent::Open(ApiClient& agent, std::mt19937_64& random, int n) {
  GateFacts facts{.tag = "g" + std::to_string(round_) + "-" + std::to_string(n), .round = round_};
  // A keyed open is repeated now and then: the same request with the same key.
  std::map<std::string, std::string> by_key = ledger_.gate_by_key();
  bool repeat = !by_key.empty() && random() % 5 == 0;
  std::string repeated_id;
  if (repeat) {
    auto it = std::next(by_key.begin(), static_cast<long>(random() % by_key.size()));
    repeated_id = it->second;
    facts = ledger_.gates().at(repeated_id);
  } else if (random() % 3 == 0) {
    facts.key = "gate-key-" + facts.tag;
  }
  HttpReply reply = PostGate(agent, facts.tag, facts.key);
  std::string id = StringAt(reply.body, "id");
  if (reply.status != (repeat ? 200u : 201u) || id.empty() ||
      (repeat && id != repeated_id)) {
    return ledger_.Anomaly("open of gate " + facts.tag + (repeat ? " (repeated, acknowledged as " +
                           repeated_id + ")" : "") + " answered " + Brief(reply));
  }
  if (!repeat) ledger_.AckOpen(id, facts);
}

void GateAgent::Decide(ApiClient& admin, std::mt19937_64& random, const std::string& gate_id) {
  bool reject = random() % 3 == 0;
  bool edited = !reject && random() % 2 == 0;
  std::string comment = "decided in round " + std::to_string(round_);
  json::object body{{"decision", reject ? "reject" : "approve"}, {"comment", comment}};
  if (edited) body["edits"] = json::object{{"amount", kGateEditedAmount}};
  HttpReply reply = admin.Post("/v1/approvals/" + gate_id + "/decision", body);
  if (reply.status == 409) {
    // A decision of an earlier round the kill cut off, which the server took: the check knows
    // it was not acknowledged, and accepts either outcome for it.
    return ledger_.Closed(gate_id);
  }
  if (reply.status != 200) {
    return ledger_.Anomaly("decision on gate " + gate_id + " answered " + Brief(reply));
  }
  ledger_.AckDecision(gate_id, reject ? "reject" : "approve", comment, edited);
}

std::set<std::string> CheckGates(uint16_t port, const std::string& agent_token,
                                 const std::string& admin_token, int round, bool everything,
                                 GateLedger& ledger) {
  ApiClient agent(port, agent_token, kClientTimeout);
  ApiClient admin(port, admin_token, kClientTimeout);
  // Every gate there is, whatever its status: one per tag (a repeated keyed open, acknowledged
  // or cut off, opened no second one), and a pending one whose open the kill cut off is held
  // to as opened from now on.
  std::map<std::string, GateFacts> known = ledger.gates();
  std::map<std::string, std::string> gate_of_tag;
  for (const json::value& approval : ListEvery(admin, "/v1/approvals?limit=1000", "approvals")) {
    if (FieldAt(approval, "gate") == nullptr) continue;
    std::string id = StringAt(approval, "id");
    std::string title = StringAt(approval, "title");
    if (!title.starts_with(kTitlePrefix)) {
      throw CheckFailed("a gate the agent did not open: " + json::serialize(approval));
    }
    std::string tag = title.substr(std::string_view(kTitlePrefix).size());
    if (auto [other, added] = gate_of_tag.emplace(tag, id); !added) {
      throw CheckFailed("gate " + tag + " was opened twice: " + other->second + " and " + id);
    }
    if (!known.contains(id) && StringAt(approval, "status") == "pending") {
      ledger.Found(id, GateFacts{.tag = tag, .round = round});
    }
  }
  std::set<std::string> pending;
  for (const auto& [id, facts] : ledger.gates()) {
    if (facts.settled && !everything) continue;
    HttpReply reply = agent.Get("/v1/gates/" + id);
    if (reply.status != 200) {
      throw CheckFailed("acknowledged gate " + id + " (" + facts.tag + ", round " +
                        std::to_string(facts.round) + ") answers " + Brief(reply) +
                        " after the restart");
    }
    const json::value& gate = reply.body;
    const json::value* context = FieldAt(gate, "context");
    if (StringAt(gate, "title") != kTitlePrefix + facts.tag || context == nullptr ||
        StringAt(*context, "tag") != facts.tag || StringAt(gate, "opened_by") != kGateAgent) {
      throw CheckFailed("gate " + id + " is not the gate " + facts.tag + " opened: " +
                        Brief(reply));
    }
    std::string status = StringAt(gate, "status");
    if (status == "pending") pending.insert(id);
    if (facts.decision.empty()) {
      if (status != "pending" && status != "approved" && status != "rejected") {
        throw CheckFailed("undecided gate " + id + " is " + status + ": " + Brief(reply));
      }
      if (status != "pending") ledger.Settled(id);
      continue;
    }
    const json::value* approved = FieldAt(gate, "approved_context");
    bool as_acked = status == (facts.decision == "approve" ? "approved" : "rejected") &&
                    StringAt(gate, "reviewer") == "admin" &&
                    StringAt(gate, "feedback") == facts.comment &&
                    (!facts.edited || (approved && FieldAt(*approved, "amount") &&
                                       *FieldAt(*approved, "amount") == kGateEditedAmount));
    if (!as_acked) {
      throw CheckFailed("gate " + id + " was acknowledged as " + facts.decision +
                        (facts.edited ? " with edits" : "") + " (\"" + facts.comment +
                        "\"), but reads " + Brief(reply));
    }
    HttpReply audit = admin.Get("/v1/audit?approval=" + id);
    size_t decisions = 0;
    for (const json::value& entry : ArrayAt(audit.body, "entries")) {
      decisions += StringAt(entry, "action") == "approval.decided";
    }
    if (audit.status != 200 || decisions != 1) {
      throw CheckFailed("acknowledged decision on gate " + id + " has " +
                        std::to_string(decisions) + " audit entries: " + Brief(audit));
    }
    ledger.Settled(id);
  }
  size_t reopened = 0;
  for (const auto& [key, id] : ledger.gate_by_key()) {
    if (reopened++ >= kReopenedPerCheck) break;
    HttpReply again = PostGate(agent, ledger.gates().at(id).tag, key);
    if (again.status != 200 || StringAt(again.body, "id") != id) {
      throw CheckFailed("keyed gate " + id + " opened again after the restart answers " +
                        Brief(again));
    }
  }
  return pending;
}

}  // namespace assent::testing::kill_loop
