// Plain read models the engine hands to the api layer: what a run, an approval, an event and a
// workflow look like from outside. They carry no storage or FlatBuffers types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace assent::engine {

// The numbers of RunStatus and ApprovalStatus are persisted as the first byte of index keys:
// never change or reuse one.
enum class RunStatus : uint8_t { kRunning = 1, kWaiting = 2, kCompleted = 3, kFailed = 4, kCancelled = 5 };
enum class ApprovalStatus : uint8_t {
  kPending = 1,
  kApproved = 2,
  kRejected = 3,
  kCancelled = 4,
  kTimedOut = 5,  // its `timeout` ran out undecided; the step's `on_timeout` decided instead
};
enum class Decision : uint8_t { kApprove, kReject };

std::string_view ToString(RunStatus status);        // "running", "waiting", ...
std::string_view ToString(ApprovalStatus status);   // "pending", "approved", ...
std::string_view ToString(Decision decision);       // "approve", "reject"
std::optional<RunStatus> ParseRunStatus(std::string_view text);
std::optional<ApprovalStatus> ParseApprovalStatus(std::string_view text);
std::optional<Decision> ParseDecision(std::string_view text);

struct DecisionView {
  Decision decision;
  std::string reviewer;
  std::string comment;
  int64_t at_ms = 0;
  // An approval with edits: the shown fields the reviewer replaced, with their new values, and
  // what changed ({"path", "op", "before", "after"} entries, base/json_diff.h). Empty otherwise.
  boost::json::object edits;
  boost::json::array edit_diff;

  bool operator==(const DecisionView&) const = default;
};

struct CommentView {
  std::string author;
  std::string text;
  int64_t at_ms = 0;

  bool operator==(const CommentView&) const = default;
};

// The built-in workflow whose runs hold outside agents' gates (Engine::OpenGate), one approval
// each. No definition can take the name ('~' is not allowed in workflow names).
inline constexpr std::string_view kAgentGateWorkflow = "~gate";

struct ApprovalView {
  std::string id;
  std::string run_id;
  std::string workflow;  // the run's workflow
  std::string step_id;
  ApprovalStatus status = ApprovalStatus::kPending;
  std::string message;
  boost::json::object show;
  std::vector<DecisionView> decisions;
  std::vector<CommentView> comments;
  int64_t requested_at_ms = 0;
  // The run's, copied in so that who may decide it (version: the step's `approvers` and
  // `self_approval`; started_by: self-approval) is known without folding the run. 0 and empty
  // only in approvals read from records written before v0.10.
  uint32_t version = 0;
  std::string started_by;
  int64_t due_at_ms = 0;  // when its `timeout` runs out; 0: it waits for ever
  // How many distinct reviewers' approvals decide it approved (the step's `quorum`) and how
  // many rejections decide it rejected (`reject_quorum`). Until then each decision is a vote
  // and it stays pending.
  uint32_t quorum = 1;
  uint32_t reject_quorum = 1;
  // Which rung of its step's `escalate` ladder decides it (0: the step's own approvers), and
  // when its approvers are reminded (0: no reminder pending).
  uint32_t rung = 0;
  int64_t remind_at_ms = 0;
  // An outside agent's gate (IsAgentGate): its title, and who decides it besides admins (entries as
  // a definition writes them; empty: admins only). Empty for a workflow's approvals.
  std::string title;
  std::vector<std::string> approvers;

  // Whether it is an outside agent's gate (Engine::OpenGate) rather than a workflow's approval.
  bool IsAgentGate() const;
  // Whether `reviewer` has decided it already: a reviewer's decision counts once.
  bool DecidedBy(std::string_view reviewer) const;
  // What was approved: `show` with the deciding reviewer's edits applied.
  boost::json::object ApprovedShow() const;
  size_t CountDecisions(Decision decision) const;

  bool operator==(const ApprovalView&) const = default;
};

// Who may decide an approval, as one viewer asks (engine/internal/access_rules.h).
struct DecidersView {
  // Besides admins, who always may: the step's `approvers` when it names them, else the
  // workflow's editors; entries as the definition writes them ("alice", "group:finance", "*").
  // Empty when neither list can be read (admins only).
  std::vector<std::string> approvers;
  // Whether the viewer may decide it now: it is pending, the rules allow them, and
  // "self_approval": false does not refuse them.
  bool can_decide = false;
  // Which shown fields a decision may edit (the step's `edits`): every field, the named ones,
  // or none.
  bool edits_allowed = false;
  std::vector<std::string> editable_fields;  // empty with edits_allowed: every field
};

struct RunView {
  std::string run_id;
  std::string workflow;
  uint32_t version = 0;
  RunStatus status = RunStatus::kRunning;
  boost::json::object input;
  boost::json::object steps;  // step id -> output, for every completed step
  std::vector<ApprovalView> pending_approvals;
  std::optional<boost::json::value> output;  // when completed
  std::string error;                         // when failed or cancelled: why
  std::string started_by;                    // the principal who started it; empty before v0.9
  int64_t started_at_ms = 0;
  int64_t updated_at_ms = 0;
  // A failed run, read by GetRun: whether the viewer may retry it (Engine::Retry). False in
  // every other answer.
  bool can_retry = false;
};

// One log event as the outside sees it: {"seq", "at", "type", ...fields}.
struct EventView {
  uint64_t seq = 0;
  int64_t at_ms = 0;
  std::string type;             // "run.started", "step.completed", ...
  boost::json::object fields;   // the body's fields, JSON payloads parsed
};

struct WorkflowView {
  std::string name;
  uint32_t version = 0;
  boost::json::value definition;
  bool disabled = false;  // its definition says "disabled": true
  // When its schedule next starts a run (unix ms): only for the latest version, when it has a
  // schedule and is not disabled.
  std::optional<int64_t> next_fire_at_ms = std::nullopt;
};

// What reviewers' streams receive, published only after the events are durable.
struct ApprovalNotification {
  // kCancelled: the approval was withdrawn (its run was cancelled) without a decision.
  // kTimedOut: its timeout ran out undecided, and the step's on_timeout decided.
  // kVoted: a reviewer decided, and its quorum is not reached yet: it stays pending.
  // kEscalated: its timeout ran out and the next rung's approvers decide it now (approval.rung).
  // kReminded: its reminder came due undecided.
  enum class Kind {
    kRequested, kDecided, kCommentAdded, kCancelled, kTimedOut, kVoted, kEscalated, kReminded
  };
  Kind kind;
  ApprovalView approval;  // the approval as it is after the event
  // Its place in the log's commit order (Engine::Subscribe); set once the commit is durable.
  uint64_t cursor = 0;
  // Who caused it: the reviewer (decided, voted), the comment's author, who cancelled the run; empty
  // for requested, and for events written before identities.
  std::string by;
};

std::string_view ToString(ApprovalNotification::Kind kind);  // "approval.requested", ...

}  // namespace assent::engine
