#include "tests/e2e/kill_loop/run_log_check.h"

#include <algorithm>

#include <boost/json/serialize.hpp>

#include "tests/e2e/kill_loop/check_failed.h"
#include "tests/e2e/kill_loop/json_fields.h"
#include "tests/e2e/kill_loop/workflow.h"

namespace assent::testing::kill_loop {

namespace json = boost::json;

namespace {

std::string Brief(const json::value& value) { return json::serialize(value).substr(0, 400); }

std::string Join(const std::set<std::string>& items) {
  std::string out = "{";
  for (const std::string& item : items) out += (out.size() > 1 ? ", " : "") + item;
  return out + "}";
}

[[noreturn]] void Fail(const LoggedRun& run, const std::string& what) {
  throw CheckFailed("run " + run.run_id + " (tag " + (run.tag.empty() ? "?" : run.tag) + "): " +
                    what);
}

bool IsHttpStep(const std::string& step) { return step == kReserveStep || step == kPayStep; }

int64_t IntAt(const json::value& object, std::string_view key) {
  const json::value* field = FieldAt(object, key);
  return field && field->is_number() ? field->to_number<int64_t>() : -1;
}

// Pay's first attempt (`started`): its gate asked exactly where PayIsGated says, and the call
// started only under its approval.
void CheckPayGate(const LoggedRun& run, const json::value& started, const std::string& where) {
  auto gate = run.approvals.find(run.pay_gate);
  const bool asked = gate != run.approvals.end();
  if (asked != PayIsGated(run.amount)) {
    Fail(run, where + ": pay's gate " + (asked ? "asked" : "did not ask") + " for amount " +
                  std::to_string(run.amount));
  }
  if (asked && (gate->second.status != "approved" ||
                StringAt(started, "gate_approval_id") != run.pay_gate)) {
    Fail(run, where + ": pay's call started while its gate " + run.pay_gate + " was " +
                  gate->second.status + ": " + Brief(started));
  }
}

}  // namespace

LoggedRun FoldEvents(const std::string& run_id, const json::array& events) {
  LoggedRun run;
  run.run_id = run_id;
  if (events.empty()) Fail(run, "GET /v1/runs/" + run_id + "/events has no events");
  std::set<std::string> completed_steps;
  std::map<std::string, std::string> visit_key;  // http step -> key of its current visit
  std::map<std::string, std::string> retry_due;  // http step -> when its pending retry is due
  bool finished = false;
  for (size_t i = 0; i < events.size(); ++i) {
    const json::value& event = events[i];
    std::string type = StringAt(event, "type");
    std::string where = "event " + std::to_string(i + 1) + " (" + type + ")";
    if (IntAt(event, "seq") != static_cast<int64_t>(i + 1)) {
      Fail(run, where + " has seq " + std::to_string(IntAt(event, "seq")) + ", expected " +
                    std::to_string(i + 1) + ": the log has a gap or a duplicate");
    }
    if ((i == 0) != (type == "run.started")) {
      Fail(run, where + ": run.started must be the first event and only the first");
    }
    const bool retried_after_failure = type == "run.retried" && run.status == "failed";
    if (finished && type != "comment.added" && !retried_after_failure) {
      Fail(run, where + " comes after the run finished: " + Brief(event));
    }
    std::string approval_id = StringAt(event, "approval_id");
    std::string step = StringAt(event, "step_id");
    if (type == "run.started") {
      const json::value* input = FieldAt(event, "input");
      run.tag = input ? StringAt(*input, "tag") : "";
      run.amount = input ? static_cast<int>(IntAt(*input, "amount")) : -1;
      run.idempotency_key = StringAt(event, "idempotency_key");
      run.status = "running";
    } else if (type == "step.started") {
      // A retry's timer is durable: no restart starts the attempt before its time.
      if (auto due = retry_due.find(step); due != retry_due.end()) {
        if (StringAt(event, "at") < due->second) {
          Fail(run, where + ": attempt " + std::to_string(IntAt(event, "attempt")) +
                        " started before its retry was due at " + due->second + ": " +
                        Brief(event));
        }
        retry_due.erase(due);
      }
      if (step == kPayStep && IntAt(event, "attempt") == 1) CheckPayGate(run, event, where);
      if (IsHttpStep(step) && IntAt(event, "attempt") == 1) {
        // The engine keys every attempt of a visit with the seq of its first attempt.
        visit_key[step] = run_id + "/" + step + "/" + std::to_string(i + 1);
        run.expected_keys.insert(visit_key[step]);
      }
    } else if (type == "step.completed") {
      if (!completed_steps.insert(step).second) Fail(run, "step " + step + " completed twice");
      const json::value* output = FieldAt(event, "output");
      if (step == "done" && output != nullptr && FieldAt(*output, "approved") != nullptr) {
        run.approved_amount = IntAt(*output, "approved");
      }
      if (IsHttpStep(step)) {
        if (!visit_key.contains(step)) Fail(run, where + ": http step " + step + " never started");
        run.completed_keys.insert(visit_key[step]);
      }
    } else if (type == "approval.requested") {
      if (step == kPayStep) run.pay_gate = approval_id;
      LoggedApproval requested{.status = "pending"};
      if (FieldAt(event, "quorum") != nullptr) requested.quorum = IntAt(event, "quorum");
      if (!run.approvals.emplace(approval_id, std::move(requested)).second) {
        Fail(run, "approval " + approval_id + " was requested twice");
      }
    } else if (type == "approval.decided" || type == "comment.added") {
      auto approval = run.approvals.find(approval_id);
      if (approval == run.approvals.end()) {
        Fail(run, where + " names approval " + approval_id + ", which the run never requested");
      }
      if (type == "comment.added") {
        approval->second.comments.push_back(StringAt(event, "text"));
        continue;
      }
      if (!approval->second.voters.insert(StringAt(event, "reviewer")).second) {
        Fail(run, "approval " + approval_id + " has two decisions by one reviewer in the log "
                  "(applied twice): " + Brief(event));
      }
      if (approval->second.status != "pending") {
        Fail(run, "approval " + approval_id + " was decided after it " + approval->second.status +
                      ": " + Brief(event));
      }
      std::string decision = StringAt(event, "decision");
      approval->second.decisions.emplace_back(decision, StringAt(event, "comment"));
      if (const json::value* edits = FieldAt(event, "edits")) {
        if (IntAt(*edits, "amount") != kEditedAmount || FieldAt(event, "edit_diff") == nullptr) {
          Fail(run, where + ": edits other than the load's, or no diff: " + Brief(event));
        }
        approval->second.edited = true;
      }
      auto approvals = std::count_if(approval->second.decisions.begin(),
                                     approval->second.decisions.end(),
                                     [](const auto& made) { return made.first == "approve"; });
      // Rejections decide at once (the workflows' reject_quorum is 1); approvals at the quorum.
      if (decision != "approve") {
        approval->second.status = "rejected";
      } else if (approvals >= approval->second.quorum) {
        approval->second.status = "approved";
      }
    } else if (type == "approval.escalated" || type == "approval.reminded") {
      auto approval = run.approvals.find(approval_id);
      if (approval == run.approvals.end() || approval->second.status != "pending") {
        Fail(run, where + ": approval " + approval_id + " " + type.substr(9) +
                      " while not pending (a timer fired twice, or after a decision): " +
                      Brief(event));
      }
      if (type == "approval.escalated" && ++approval->second.escalations > 1) {
        Fail(run, where + ": approval " + approval_id + " escalated twice (its ladder has one "
                  "rung): " + Brief(event));
      }
    } else if (type == "approval.timed_out") {
      auto approval = run.approvals.find(approval_id);
      if (approval == run.approvals.end() || approval->second.status != "pending") {
        Fail(run, where + ": approval " + approval_id + " timed out while not pending (a timer "
                  "fired twice, or after a decision): " + Brief(event));
      }
      approval->second.status = "timed_out";
    } else if (type == "run.completed" || type == "run.failed" || type == "run.cancelled") {
      finished = true;
      run.status = type.substr(4);
      if (type == "run.cancelled") {
        for (auto& [id, approval] : run.approvals) {
          if (approval.status == "pending") approval.status = "cancelled";
        }
      }
    } else if (type == "run.retried") {
      if (!retried_after_failure || StringAt(event, "by") != "admin") {
        Fail(run, where + ": a retry of a run that had not failed, or not by the admin: " +
                      Brief(event));
      }
      finished = false;
      run.status = "running";
      ++run.retries;
    } else if (type == "step.failed") {
      const json::value* will_retry = FieldAt(event, "will_retry");
      if (will_retry != nullptr && will_retry->is_bool() && will_retry->get_bool()) {
        std::string due = StringAt(event, "retry_at");
        if (due.empty()) Fail(run, where + ": a retry with no time in the log: " + Brief(event));
        retry_due[step] = due;
      }
    } else {
      Fail(run, where + " has an unknown type: " + Brief(event));
    }
  }
  if (!finished) {
    bool waiting = std::any_of(run.approvals.begin(), run.approvals.end(),
                               [](const auto& entry) { return entry.second.status == "pending"; });
    run.status = waiting ? "waiting" : "running";
  }
  return run;
}

void CheckRunView(const LoggedRun& run, const json::value& view) {
  if (StringAt(view, "run_id") != run.run_id) Fail(run, "GET /v1/runs shows " + Brief(view));
  if (StringAt(view, "status") != run.status) {
    Fail(run, "GET /v1/runs/" + run.run_id + " says " + StringAt(view, "status") +
                  " but its events say " + run.status + "; view: " + Brief(view));
  }
  const json::value* input = FieldAt(view, "input");
  if (!input || StringAt(*input, "tag") != run.tag) {
    Fail(run, "GET /v1/runs shows another input than run.started: " + Brief(view));
  }
  std::set<std::string> shown, logged;
  for (const json::value& approval : ArrayAt(view, "pending_approvals")) {
    shown.insert(StringAt(approval, "id"));
  }
  for (const auto& [id, approval] : run.approvals) {
    if (approval.status == "pending") logged.insert(id);
  }
  if (shown != logged) {
    Fail(run, "GET /v1/runs shows pending approvals " + Join(shown) + " but its events leave " +
                  Join(logged) + " pending");
  }
}

void CheckRunFacts(const LoggedRun& run, const Ledger& ledger) {
  auto intent = ledger.intents().find(run.tag);
  if (intent == ledger.intents().end()) {
    Fail(run, "its input tag is not one the test ever sent");
  }
  if (intent->second.amount != run.amount || intent->second.key != run.idempotency_key) {
    Fail(run, "run.started has amount " + std::to_string(run.amount) + " and key \"" +
                  run.idempotency_key + "\"; the test sent amount " +
                  std::to_string(intent->second.amount) + " with key \"" + intent->second.key +
                  "\"");
  }
  auto facts = ledger.runs().find(run.run_id);
  if (facts == ledger.runs().end()) return;
  const RunFacts& acked = facts->second;
  if (acked.acked_in_round > 0 && acked.tag != run.tag) {
    Fail(run, "a start of tag " + acked.tag + " acknowledged in round " +
                  std::to_string(acked.acked_in_round) + " named this run");
  }
  if (run.retries < acked.retries_acked) {
    Fail(run, std::to_string(acked.retries_acked) + " retries were acknowledged, but the log has " +
                  std::to_string(run.retries));
  }
  for (const std::string& status : acked.finished_as) {
    if (status != run.status && !(status == "failed" && run.retries > 0)) {
      Fail(run, "an acknowledged answer showed it " + status + ", but now it is " + run.status +
                    (acked.cancel_acked_in_round > 0
                         ? " (cancel acknowledged in round " +
                               std::to_string(acked.cancel_acked_in_round) + ")"
                         : ""));
    }
  }
}

void CheckRunSideEffects(const LoggedRun& run, const SideEffectIndex& effects) {
  for (const std::string& key : effects.KeysOfRun(run.run_id)) {
    if (!run.expected_keys.contains(key)) {
      Fail(run, "the target got Idempotency-Key " + key + ", which is none of the run's http "
                "step visits " + Join(run.expected_keys));
    }
    if (effects.TagOf(key) != run.tag) {
      Fail(run, "the target got key " + key + " with tag " + effects.TagOf(key));
    }
  }
  for (const std::string& key : run.completed_keys) {
    if (!effects.AnsweredOk(key)) {
      Fail(run, "its http step with key " + key + " completed, but the target never answered "
                "2xx to that key");
    }
  }
}

void CheckApproval(const LoggedRun& run, const std::string& approval_id, const json::value& view,
                   const ApprovalFacts* acked) {
  auto found = run.approvals.find(approval_id);
  if (found == run.approvals.end()) {
    Fail(run, "approval " + approval_id + " was acknowledged or shown by the server, but the "
              "run's log never requested it");
  }
  const LoggedApproval& logged = found->second;
  std::string where = "approval " + approval_id + ": ";
  if (StringAt(view, "run_id") != run.run_id || StringAt(view, "status") != logged.status) {
    Fail(run, where + "GET /v1/approvals says " + Brief(view) + ", but the log says " +
                  logged.status);
  }
  const json::array& decisions = ArrayAt(view, "decisions");
  if (decisions.size() != logged.decisions.size() ||
      (decisions.size() == 1 && (StringAt(decisions[0], "decision") != logged.decisions[0].first ||
                                 StringAt(decisions[0], "comment") != logged.decisions[0].second))) {
    Fail(run, where + "GET /v1/approvals shows decisions " + Brief(decisions) +
                  ", which is not what the log holds");
  }
  std::vector<std::string> shown_comments;
  for (const json::value& comment : ArrayAt(view, "comments")) {
    shown_comments.push_back(StringAt(comment, "text"));
  }
  if (shown_comments != logged.comments) {
    Fail(run, where + "GET /v1/approvals shows other comments than the log");
  }
  std::set<std::string> distinct(logged.comments.begin(), logged.comments.end());
  if (distinct.size() != logged.comments.size()) {
    Fail(run, where + "a comment was applied twice (every comment sent is unique): " +
                  Brief(ArrayAt(view, "comments")));
  }
  // "done" reports the amount approved: the edited one after an approval with edits.
  if (logged.status == "approved" && run.approved_amount != -1 &&
      run.approved_amount != (logged.edited ? kEditedAmount : run.amount)) {
    Fail(run, where + "the run went on with amount " + std::to_string(run.approved_amount) +
                  (logged.edited ? ", not the approval's edited " + std::to_string(kEditedAmount)
                                 : ", not the amount approved"));
  }
  if (acked == nullptr) return;
  if (acked->decisions.size() > 1) {
    Fail(run, where + std::to_string(acked->decisions.size()) + " decisions were acknowledged (" +
                  acked->decisions[0].decision + " via " + acked->decisions[0].via + " in round " +
                  std::to_string(acked->decisions[0].round) + ", " + acked->decisions[1].decision +
                  " via " + acked->decisions[1].via + " in round " +
                  std::to_string(acked->decisions[1].round) + ")");
  }
  if (acked->decisions.size() == 1) {
    const DecisionFact& decision = acked->decisions[0];
    if (logged.decisions.size() != 1 || logged.decisions[0].first != decision.decision ||
        logged.decisions[0].second != decision.comment || logged.edited != decision.edited) {
      Fail(run, where + "the decision " + decision.decision + (decision.edited ? " with edits" : "") +
                    " \"" + decision.comment + "\" acknowledged via " + decision.via + " in round " +
                    std::to_string(decision.round) + " is not in the log (status " +
                    logged.status + ")");
    }
  }
  for (const CommentFact& comment : acked->comments) {
    if (std::count(logged.comments.begin(), logged.comments.end(), comment.text) != 1) {
      Fail(run, where + "the comment \"" + comment.text + "\" acknowledged via " + comment.via +
                    " in round " + std::to_string(comment.round) + " is not in the log once");
    }
  }
}

}  // namespace assent::testing::kill_loop
