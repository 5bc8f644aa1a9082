// WorkflowDefinition: a validated workflow, parsed from its JSON document.
//
//   {"name": "invoice-payment",
//    "steps": [{"id": "extract", "type": "code", "lua": "return {...}"}, ...]}
//
// Steps run in list order unless `next` (any step), `then`/`else` (condition), `on_reject`
// (approval, gated step) or `on_error` (http) names another step; "end" finishes the run. Immutable once
// parsed: a run pins the version it started with, so definitions are shared between threads as
// shared_ptr<const>.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "base/status.h"
#include "engine/internal/access_lists.h"
#include "engine/internal/host_allow_list.h"
#include "engine/internal/http_retry.h"
#include "engine/internal/inbound_hooks.h"
#include "engine/internal/notify_targets.h"
#include "engine/internal/schedule_definition.h"

namespace assent::engine {

inline constexpr std::string_view kEndStep = "end";

enum class StepType { kCode, kCondition, kHttp, kApproval, kWait, kNotify };

// A tool-level gate (`require_approval` on an http or code step): whether each call of the step
// waits for an approval first, always or when a Lua condition on the rendered request holds.
enum class Gate { kNone, kAlways, kWhen };

// What an approval step does when its `timeout` runs out undecided. The numbers are persisted
// (schemas/event.fbs TimeoutAction).
enum class OnTimeout : uint8_t { kFail = 0, kApprove = 1, kReject = 2 };
std::string_view ToString(OnTimeout action);  // "fail", "approve", "reject"

// The longest a run's timer may wait: an approval's `timeout`, a wait step's `for`.
inline constexpr int64_t kMaxTimerMs = int64_t{366} * 86'400'000;

// One rung of an approval step's `escalate` ladder: when the approval's timeout runs out, these
// approvers decide it instead, within a timeout of their own.
struct EscalationRung {
  AccessList approvers;
  int64_t timeout_ms = 0;

  bool operator==(const EscalationRung&) const = default;
};

struct StepDefinition {
  std::string id;
  StepType type = StepType::kCode;
  std::string next;  // explicit successor; empty: the next step in the list

  std::string lua;        // code: a Lua chunk returning the step's output
  std::string condition;  // condition: a Lua expression ("if")
  std::string then_step;  // condition: where to go when true
  std::string else_step;  // condition: where to go when false

  std::string message;     // approval, notify, gate: message template (a gate's may be empty)
  boost::json::value show; // approval: object of templates rendered for reviewers
  std::string on_reject;   // approval, gate: where a rejection goes; empty: the run fails
  // http, code: `require_approval` (tool_gate.h). A gated step's approval takes the approval
  // fields below (approvers, quorums, timeout, escalate, edits) from the `require_approval`
  // object; its `show` is the request the call makes.
  Gate gate = Gate::kNone;
  std::string gate_when;         // kWhen: the Lua expression
  bool approve_retries = false;  // http: each retry after a failure asks again
  AccessList approvers;    // approval: who decides instead of the editors; empty: the editors
  bool self_approval = true;  // approval: false: the run's starter may not decide it
  int64_t approval_timeout_ms = 0;        // approval: `timeout`; 0: it waits for ever
  OnTimeout on_timeout = OnTimeout::kFail;  // approval: what a timeout decides
  // approval: how many distinct reviewers' approvals decide it (`quorum`: a number, or "all",
  // counted out as every user of its deciding list), and how many rejections (`reject_quorum`).
  uint32_t quorum = 1;
  bool quorum_all = false;
  uint32_t reject_quorum = 1;
  // approval: `remind_after`: notify the approvers again this long after the request (and after
  // each escalation); 0: no reminder. `escalate`: the rungs taken in turn as timeouts run out,
  // before `on_timeout` decides.
  int64_t remind_after_ms = 0;
  std::vector<EscalationRung> escalate;
  // approval: `edits`: whether an approval may replace fields of `show`: any (true), only the
  // named ones (a list: `editable_fields`), or none (false, the default: what a reviewer
  // approves is what was shown unless the workflow's author says otherwise).
  bool edits_allowed = false;
  std::vector<std::string> editable_fields;

  std::string method;              // http
  std::string url;                 // http: template (url_template.h)
  HostAllowList allow_hosts;       // http: where a URL that takes its host from run data may go
  boost::json::value body;         // http: JSON template; null: no body
  boost::json::object headers;     // http: header name -> template
  HttpRetrySpec retry;             // http: `retry` (and the older `max_attempts`)
  std::optional<uint32_t> timeout_ms;  // http: per attempt: `timeout` or `timeout_ms`
  // http: where the run goes when the step fails for good (its retries spent, or an answer not
  // worth retrying); empty: the run fails. That step reads the failure as steps.<id>.error.
  std::string on_error;
  std::string ca_file;             // http: the CAs to trust for https instead of the system's
  // http: connections open to the URL's origin at once (http_pool.h); none: the server's
  // --http-max-connections-per-host.
  std::optional<uint32_t> max_connections;

  // notify: where the message is posted (notify_targets.h); the outbox delivers it.
  NotifyTarget target;

  int64_t wait_for_ms = 0;  // wait: `for`; 0 when it waits `until`
  std::string wait_until;   // wait: `until`, a template giving a time (RFC 3339 or unix ms)

  // Steps with no effect outside Assent run inline and need no durable StepStarted first. (A
  // notify step also completes inline: its effect is an outbox entry in the same commit.)
  bool IsPure() const { return type == StepType::kCode || type == StepType::kCondition; }

  bool operator==(const StepDefinition&) const = default;
};

struct WorkflowDefinition {
  std::string name;
  uint32_t version = 0;
  std::vector<StepDefinition> steps;
  std::vector<NotifyTarget> notify;  // where approval notifications go (notify_targets.h)
  std::vector<InboundHook> hooks;    // requests that start runs (inbound_hooks.h)
  WorkflowAccess access;      // who may see, edit, start and decide (access_rules.h)
  bool disabled = false;      // `"disabled": true`: no new runs start; running runs finish
  std::optional<ScheduleDefinition> schedule;  // when it starts runs by itself (schedules.h)
  boost::json::value source;  // the document as applied

  const StepDefinition* Find(std::string_view step_id) const;
  // Where the run goes after `step` completes normally: its `next`, else the following step in
  // the list, else kEndStep.
  std::string NextAfter(const StepDefinition& step) const;

 private:
  friend Result<std::shared_ptr<const WorkflowDefinition>> ParseDefinition(
      std::string_view, const boost::json::value&);
  std::unordered_map<std::string, size_t> index_;
};

// Validates `json` as the definition of workflow `name`. kInvalidArgument messages name the
// offending step and field: "step 'check': 'then' names unknown step 'revew'". Used for stored
// definitions too, so rules added later that a stored definition may break belong in
// CheckNewDefinition instead.
Result<std::shared_ptr<const WorkflowDefinition>> ParseDefinition(std::string_view name,
                                                                  const boost::json::value& json);

// The rules a definition must meet to be applied that ParseDefinition does not check, because
// definitions stored before the rule existed must still load (runs are pinned to them): what
// an http step sends (http_step_rules.h); that every step can run, every loop can reach "end"
// and templates name steps that can have run (definition_checks.h). Where a rule concerns
// rendered values, the step checks it again when it runs.
Status CheckNewDefinition(const WorkflowDefinition& definition);

// Workflow and step names: 1-128 of [A-Za-z0-9_-], so they are safe in URLs and templates.
bool IsValidName(std::string_view name);

}  // namespace assent::engine
