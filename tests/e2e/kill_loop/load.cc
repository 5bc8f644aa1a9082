#include "tests/e2e/kill_loop/load.h"

#include <chrono>
#include <functional>
#include <iterator>
#include <stdexcept>

#include <boost/json/serialize.hpp>

#include "tests/e2e/kill_loop/json_fields.h"
#include "tests/e2e/kill_loop/workflow.h"

namespace assent::testing::kill_loop {

namespace json = boost::json;

namespace {

constexpr int kRestWorkers = 4;
constexpr int kReviewers = 2;
// Bounds on a live server's answers (the longest ?wait= the load uses is 3 s); a kill ends a
// request at once, as the kernel closes its connection.
constexpr auto kClientTimeout = std::chrono::seconds(20);
constexpr auto kAnswerTimeout = std::chrono::seconds(20);
// The comment-target list keeps at most this many ids (random ones are replaced beyond it).
constexpr size_t kMaxKnownApprovals = 2000;

template <typename T>
const T& PickFrom(const std::vector<T>& items, std::mt19937_64& random) {
  return items[random() % items.size()];
}

}  // namespace

Load::Load(uint16_t port, std::string token, int round, uint64_t seed, Ledger& ledger,
           WorkingSet& work)
    : port_(port), token_(std::move(token)), round_(round), seed_(seed), ledger_(ledger),
      work_(work) {}

Load::~Load() {
  MarkKilled();
  Join();
}

void Load::Start() {
  for (int i = 0; i < kRestWorkers; ++i) threads_.emplace_back([this, i] { RestWorker(i); });
  for (int i = 0; i < kReviewers; ++i) threads_.emplace_back([this, i] { Reviewer(i); });
}

bool Load::AwaitAcks(int acks, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return acks_ >= acks; });
}

void Load::MarkKilled() {
  killed_ = true;
  std::lock_guard lock(mutex_);
  changed_.notify_all();
}

void Load::Join() {
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void Load::Acked() {
  std::lock_guard lock(mutex_);
  ++acks_;
  changed_.notify_all();
}

void Load::OnClientError(const std::string& who, const std::exception& error) {
  // After the kill, a failed request may or may not have taken effect: nothing to hold the
  // server to. Before it, the server answered nothing although it was never killed.
  if (killed_) return ledger_.CutOff();
  ledger_.Anomaly(who + ": request failed before the kill: " + error.what());
}

std::string Load::Unexpected(const std::string& what, const HttpReply& reply) const {
  return what + " was answered " + std::to_string(reply.status) + ": " + reply.raw.substr(0, 300);
}

// --- REST -------------------------------------------------------------------------------------

void Load::RestWorker(int index) {
  std::mt19937_64 random(seed_ + 1 + static_cast<uint64_t>(index));
  std::string who = "rest" + std::to_string(index);
  ApiClient api(port_, token_, kClientTimeout);
  for (int n = 0; !killed_; ++n) {
    std::string name = "r" + std::to_string(round_) + "-" + who + "-" + std::to_string(n);
    try {
      int dice = static_cast<int>(random() % 100);
      if (dice < 45) {
        StartOne(api, random, name);
      } else if (dice < 73) {
        DecideOverRest(api, random, name);
      } else if (dice < 93) {
        CommentOverRest(api, random, name);
      } else if (dice < 96) {
        CancelOne(api, random);
      } else if (dice < 98) {
        RetryOne(api, random);
      } else {
        AddUser(api, name);
      }
    } catch (const std::exception& error) {
      OnClientError(who, error);
      return;  // the server is gone (or broken): this thread's part of the round is over
    }
  }
}

void Load::StartOne(ApiClient& api, std::mt19937_64& random, const std::string& name) {
  StartIntent intent;
  bool repeat = random() % 100 < 20 && PickKeyedStart(random, &intent);
  if (!repeat) {
    intent.tag = name;
    intent.amount = static_cast<int>(random() % 2 == 0 ? kApprovalAbove + 1 + random() % 5000
                                                       : 1 + random() % kApprovalAbove);
    if (random() % 100 < 45) intent.key = "key-" + name;
    // One keyed start in four comes through the workflow's hook, its key the delivery id.
    if (!intent.key.empty() && random() % 4 == 0) {
      intent.key = std::string(kHookKeyPrefix) + intent.key;
    }
    ledger_.Intend(intent);
    // Repeatable as soon as it is sent: a repeat may race the first start, or follow a first
    // start whose answer the kill cut off.
    if (!intent.key.empty()) AddKeyedStart(intent);
  }
  const json::object input{{"tag", intent.tag}, {"amount", intent.amount}};
  const bool hook = intent.key.starts_with(kHookKeyPrefix);
  // A run that waits for a reviewer cannot finish within its ?wait=: keep that wait short.
  std::string query;
  if (!hook && random() % 100 < 40) {
    query = intent.amount > kApprovalAbove || PayIsGated(intent.amount) ? "?wait=200ms"
                                                                         : "?wait=3s";
  }
  HttpReply reply;
  if (hook) {
    reply = api.Send("POST", std::string("/v1/hooks/") + WorkflowFor(intent.tag) + "/" + kHookId,
                     json::serialize(input),
                     {{"Authorization", std::string("Bearer ") + kHookSecret},
                      {"X-Delivery-Id", intent.key.substr(kHookKeyPrefix.size())}},
                     /*authorize=*/false);
  } else {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!intent.key.empty()) headers.emplace_back("Idempotency-Key", intent.key);
    reply = api.Send("POST",
                     std::string("/v1/workflows/") + WorkflowFor(intent.tag) + "/runs" + query,
                     json::serialize(json::object{{"input", input}}), headers);
  }
  std::string what = "start of " + intent.tag + (intent.key.empty() ? "" : " (key " + intent.key + ")");
  std::string run_id = StringAt(reply.body, "run_id");
  if ((reply.status != 201 && reply.status != 200) || run_id.empty()) {
    return ledger_.Anomaly(Unexpected(what, reply));
  }
  if (intent.key.empty() && reply.status != 201) {
    // Without a key every start is a new run. (A first keyed start may be answered 200: a
    // repeat from another thread can reach the server before it.)
    ledger_.Anomaly(Unexpected(what + " without a key named an existing run;", reply));
  }
  std::string finished_as;
  if (!query.empty()) {
    std::string status = StringAt(reply.body, "status");
    if (IsFinished(status)) finished_as = status;
    Learn(reply.body);
  }
  ledger_.AckStart(run_id, intent, repeat, !query.empty(), finished_as);
  if (finished_as.empty()) AddOpenRun(run_id);
  Acked();
}

void Load::DecideOverRest(ApiClient& api, std::mt19937_64& random, const std::string& name) {
  std::string approval_id, run_id;
  if (!PickPending(random, &approval_id, &run_id, /*reviewer=*/false)) {
    return StartOne(api, random, name);
  }
  bool reject = random() % 4 == 0;
  // Comments are unique, so the checker can match a decision to the one acknowledged.
  DecisionFact fact{reject ? "reject" : "approve",
                    reject || random() % 2 == 0 ? "decided " + name : "", "rest", round_,
                    /*edited=*/!reject && random() % 3 == 0};
  json::object body{{"decision", fact.decision}};
  if (!fact.comment.empty()) body["comment"] = fact.comment;
  if (fact.edited) body["edits"] = json::object{{"amount", kEditedAmount}};
  HttpReply reply = api.Post("/v1/approvals/" + approval_id + "/decision", body);
  if (reply.status == 409) {  // decided (maybe by a racing reviewer) or its run was cancelled
    NoLongerPending(approval_id);
    return ledger_.Conflict();
  }
  // The timed workflow's approval and pay's gate take no edits: refused, recording nothing, as
  // it should be.
  if (fact.edited && reply.status == 400 &&
      (reply.raw.find("step 'review' takes no edits") != std::string::npos ||
       reply.raw.find("step 'pay' takes no edits") != std::string::npos)) {
    return ledger_.Conflict();
  }
  std::string what = "REST decision on approval " + approval_id + " (run " + run_id + ")";
  if (reply.status != 200) return ledger_.Anomaly(Unexpected(what, reply));
  NoLongerPending(approval_id);
  ledger_.AckDecision(approval_id, run_id, fact);
  if (ArrayAt(reply.body, "decisions").size() != 1) {
    ledger_.Anomaly(Unexpected(what + " acknowledged, but not with exactly one decision;", reply));
  }
  Acked();
}

void Load::CommentOverRest(ApiClient& api, std::mt19937_64& random, const std::string& name) {
  std::string approval_id;
  if (!PickApproval(random, &approval_id)) return StartOne(api, random, name);
  CommentFact fact{"comment " + name, "rest", round_};
  HttpReply reply =
      api.Post("/v1/approvals/" + approval_id + "/comments", json::object{{"text", fact.text}});
  if (reply.status != 201) {
    return ledger_.Anomaly(Unexpected("REST comment on approval " + approval_id, reply));
  }
  ledger_.AckComment(approval_id, StringAt(reply.body, "run_id"), fact);
  Acked();
}

void Load::CancelOne(ApiClient& api, std::mt19937_64& random) {
  std::string run_id;
  if (!PickOpenRun(random, &run_id)) return;
  HttpReply reply = api.Post("/v1/runs/" + run_id + "/cancel",
                             json::object{{"reason", "kill loop round " + std::to_string(round_)}});
  NoLongerOpen(run_id);
  if (reply.status == 409) return ledger_.Conflict();  // it finished first
  if (reply.status != 200) return ledger_.Anomaly(Unexpected("cancel of run " + run_id, reply));
  ledger_.AckCancel(run_id);
  if (StringAt(reply.body, "status") != "cancelled") {
    ledger_.Anomaly(Unexpected("cancel of run " + run_id + " acknowledged, but", reply));
  }
  {
    std::lock_guard lock(mutex_);
    std::erase_if(work_.pending, [&](const auto& entry) { return entry.second == run_id; });
  }
  Acked();
}

// POST /v1/runs/{id}/retry of a run the last check saw failed (its http step ran out of
// attempts against the target's 500s): it goes on from that step with a fresh budget, and the
// checks hold the steps it completed to having run once.
void Load::RetryOne(ApiClient& api, std::mt19937_64& random) {
  std::string run_id;
  if (!TakeFailedRun(random, &run_id)) return;
  ledger_.RetrySent(run_id);
  HttpReply reply = api.Post("/v1/runs/" + run_id + "/retry", json::object{});
  if (reply.status == 409) return ledger_.Conflict();  // retried already, by a cut-off request
  if (reply.status != 200) return ledger_.Anomaly(Unexpected("retry of run " + run_id, reply));
  ledger_.AckRetry(run_id);
  std::string status = StringAt(reply.body, "status");
  if (status == "failed" || status == "cancelled") {
    ledger_.Anomaly(Unexpected("retry of run " + run_id + " acknowledged, but", reply));
  }
  AddOpenRun(run_id);
  Learn(reply.body);
  Acked();
}

// A user with a first token: the directory's changes go through the same log and SIGKILL.
void Load::AddUser(ApiClient& api, const std::string& name) {
  std::string user_id = "u-" + name;
  HttpReply reply = api.Post("/v1/users", json::object{{"id", user_id},
                                                       {"groups", json::array{"kill-loop"}}});
  std::string token = reply.body.is_object() && reply.body.get_object().contains("token")
                          ? StringAt(reply.body.at("token"), "token")
                          : "";
  if (reply.status != 201 || token.empty()) {
    return ledger_.Anomaly(Unexpected("adding user " + user_id, reply));
  }
  ledger_.AckUser(user_id, token);
  Acked();
}

// --- WebSocket --------------------------------------------------------------------------------

void Load::Reviewer(int index) {
  std::mt19937_64 random(seed_ + 101 + static_cast<uint64_t>(index));
  std::string who = "ws" + std::to_string(index);
  try {
    // Both ways of authenticating are used, one per reviewer.
    StreamClient ws(port_, token_,
                    index % 2 == 0 ? StreamClient::Auth::kHeader : StreamClient::Auth::kFirstMessage);
    json::value snapshot = ws.Read(kAnswerTimeout);
    if (StringAt(snapshot, "type") != "snapshot") {
      return ledger_.Anomaly(who + ": first message is not a snapshot: " +
                             json::serialize(snapshot).substr(0, 300));
    }
    for (const json::value& approval : ArrayAt(snapshot, "pending")) LearnPending(approval);
    for (int n = 0; !killed_; ++n) {
      std::string name = "r" + std::to_string(round_) + "-" + who + "-" + std::to_string(n);
      std::string approval_id, run_id;
      bool decide = random() % 100 < 75;
      if (decide ? !PickPending(random, &approval_id, &run_id, /*reviewer=*/true)
                 : !PickApproval(random, &approval_id)) {
        // Nothing to review yet: wait (bounded) for a run to ask, rather than spin on comments.
        std::unique_lock lock(mutex_);
        uint64_t added = approvals_added_;
        changed_.wait_for(lock, std::chrono::milliseconds(20),
                          [&] { return killed_ || approvals_added_ != added; });
        continue;
      }
      json::object command{{"type", decide ? "decide" : "comment"}, {"id", approval_id},
                           {"req", name}};
      DecisionFact decision{random() % 4 == 0 ? "reject" : "approve", "decided " + name, "ws",
                            round_};
      CommentFact comment{"comment " + name, "ws", round_};
      if (decide) {
        command["decision"] = decision.decision;
        command["comment"] = decision.comment;
      } else {
        command["text"] = comment.text;
      }
      ws.Send(command);
      json::value answer = ReadAnswer(ws, name);
      std::string what = who + " " + (decide ? "decision on" : "comment on") + " approval " +
                         approval_id;
      const json::value* error = FieldAt(answer, "error");
      if (decide && error && StringAt(*error, "code") == "conflict") {
        NoLongerPending(approval_id);  // decided (maybe by a racing client) or cancelled
        ledger_.Conflict();
        continue;
      }
      const json::value* acked = FieldAt(answer, "approval");
      if (StringAt(answer, "type") != "ack" || acked == nullptr) {
        ledger_.Anomaly(what + " was answered " + json::serialize(answer).substr(0, 300));
        continue;
      }
      const json::value& approval = *acked;
      std::string acked_run = StringAt(approval, "run_id");
      if (decide) {
        NoLongerPending(approval_id);
        ledger_.AckDecision(approval_id, acked_run, decision);
        if (ArrayAt(approval, "decisions").size() != 1) {
          ledger_.Anomaly(what + " acknowledged, but not with exactly one decision: " +
                          json::serialize(answer).substr(0, 300));
        }
      } else {
        ledger_.AckComment(approval_id, acked_run, comment);
      }
      Acked();
    }
  } catch (const std::exception& error) {
    OnClientError(who, error);
  }
}

json::value Load::ReadAnswer(StreamClient& ws, const std::string& req) {
  // Notifications come in between; they keep the working set fresh. The whole wait is bounded,
  // however many of them come.
  auto deadline = std::chrono::steady_clock::now() + kAnswerTimeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      throw std::runtime_error("no WebSocket answer to " + req + " in time");
    }
    json::value message = ws.Read(left);
    std::string type = StringAt(message, "type");
    const json::value* approval = FieldAt(message, "approval");
    if (type == "approval.requested" && approval) {
      LearnPending(*approval);
    } else if (type == "approval.decided" && approval) {
      NoLongerPending(StringAt(*approval, "id"));
    } else if (type == "ack" || type == "error") {
      if (StringAt(message, "req") == req) return message;
      ledger_.Anomaly("WebSocket answer for an unknown request (waiting for " + req +
                      "): " + json::serialize(message).substr(0, 300));
    }
  }
}

// --- The working set ----------------------------------------------------------------------------

bool Load::PickPending(std::mt19937_64& random, std::string* approval_id, std::string* run_id,
                       bool reviewer) {
  std::lock_guard lock(mutex_);
  // Reviewers read approvals off the stream before any REST worker can pick them: a third are
  // left to the REST workers so both paths decide. Others may see both paths race.
  for (int tries = 0; tries < 3 && !work_.pending.empty(); ++tries) {
    auto it = std::next(work_.pending.begin(),
                        static_cast<long>(random() % work_.pending.size()));
    if (reviewer && std::hash<std::string>{}(it->first) % 3 == 0) continue;
    *approval_id = it->first;
    *run_id = it->second;
    return true;
  }
  return false;
}

bool Load::PickApproval(std::mt19937_64& random, std::string* approval_id) {
  std::lock_guard lock(mutex_);
  if (work_.approvals.empty()) return false;
  // Half the comments go to a few hot approvals, so their runs' logs grow past the engine's
  // snapshot interval (64 events) and folding from a snapshot meets the kills too.
  *approval_id = random() % 2 == 0 && !work_.hot_approvals.empty()
                     ? PickFrom(work_.hot_approvals, random)
                     : PickFrom(work_.approvals, random);
  return true;
}

bool Load::TakeFailedRun(std::mt19937_64& random, std::string* run_id) {
  std::lock_guard lock(mutex_);
  std::vector<std::string>& failed = work_.failed_runs;
  if (failed.empty()) return false;
  size_t index = random() % failed.size();
  *run_id = failed[index];
  failed.erase(failed.begin() + static_cast<long>(index));
  return true;
}

bool Load::PickOpenRun(std::mt19937_64& random, std::string* run_id) {
  std::lock_guard lock(mutex_);
  if (work_.open_runs.empty()) return false;
  *run_id = PickFrom(work_.open_runs, random);
  return true;
}

bool Load::PickKeyedStart(std::mt19937_64& random, StartIntent* intent) {
  std::lock_guard lock(mutex_);
  if (work_.keyed_starts.empty()) return false;
  *intent = PickFrom(work_.keyed_starts, random);
  return true;
}

void Load::AddPending(const std::string& approval_id, const std::string& run_id) {
  if (approval_id.empty() || run_id.empty()) return;
  ledger_.SawApproval(approval_id, run_id);
  std::lock_guard lock(mutex_);
  if (!work_.pending.emplace(approval_id, run_id).second) return;
  ++approvals_added_;
  if (work_.approvals.size() < kMaxKnownApprovals) {
    work_.approvals.push_back(approval_id);
  } else {
    work_.approvals[std::hash<std::string>{}(approval_id) % work_.approvals.size()] = approval_id;
  }
  changed_.notify_all();
}

void Load::NoLongerPending(const std::string& approval_id) {
  std::lock_guard lock(mutex_);
  work_.pending.erase(approval_id);
}

void Load::AddOpenRun(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  work_.open_runs.push_back(run_id);
}

void Load::NoLongerOpen(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  std::erase(work_.open_runs, run_id);
}

void Load::AddKeyedStart(const StartIntent& intent) {
  std::lock_guard lock(mutex_);
  work_.keyed_starts.push_back(intent);
}

void Load::LearnPending(const json::value& approval) {
  if (FieldAt(approval, "gate") != nullptr) return;  // the gates' own agent decides those
  AddPending(StringAt(approval, "id"), StringAt(approval, "run_id"));
}

void Load::Learn(const json::value& run) {
  std::string run_id = StringAt(run, "run_id");
  for (const json::value& approval : ArrayAt(run, "pending_approvals")) {
    AddPending(StringAt(approval, "id"), run_id);
  }
}

}  // namespace assent::testing::kill_loop
