// The kill loop's workflows. In the main one a run makes one http side effect ("reserve"), then
// a condition asks for a reviewer's approval when the amount is above kApprovalAbove, then a
// second side effect ("pay") that carries the first one's answer, then a notify step ("tell")
// posts to the webhook receiver. Each side effect's body names the run's input tag and the
// effect, so the checker can tell which logical side effect a request was. "done" reports the
// amount the review approved, which an approval's edits may have changed. The timed one asks for
// an approval first, with a 1 s timeout that escalates once (another 1 s) and then approves: its
// timers come due around kills and restarts, and race the load's decisions. It takes a quorum of
// two approvals: the load decides as one principal, so its approval is a vote that must survive
// kills and count once (a second one gets 409), and only a rejection or the timeout ends it.
// A run of the main one that its review does not stop may meet a tool-level gate instead: pay
// asks for an approval before its call (PayIsGated), showing the request.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace assent::testing::kill_loop {

inline constexpr const char* kWorkflowName = "kill-loop";
// Both workflows take starts from an inbound webhook too: POST /v1/hooks/<workflow>/load with
// the secret as a bearer token. Its keyed starts are recorded with the key
// "hook:load:<delivery id>" (kHookKeyPrefix + delivery id).
inline constexpr const char* kHookId = "load";
inline constexpr const char* kHookSecret = "kill-loop-hook-secret";
inline constexpr std::string_view kHookKeyPrefix = "hook:load:";
inline std::string HooksJson() {
  return std::string(R"("hooks": [{"id": ")") + kHookId + R"(", "secret": ")" + kHookSecret +
         R"("}])";
}
inline constexpr const char* kTimedWorkflowName = "kill-loop-timed";

// Which workflow a start with `tag` goes to: one in four the timed one. A function of the tag,
// so a repeated keyed start goes where its first one went.
inline const char* WorkflowFor(std::string_view tag) {
  return std::hash<std::string_view>()(tag) % 4 == 0 ? kTimedWorkflowName : kWorkflowName;
}
inline constexpr int kApprovalAbove = 5000;
// Whether pay's gate asks before its call: for one in four runs the review does not ask for
// (the definition's `when` says the same).
inline bool PayIsGated(int amount) { return amount <= kApprovalAbove && amount % 4 == 0; }
// What an approval with edits changes the reviewed amount to; "done" reports the amount approved.
inline constexpr int kEditedAmount = 424242;
// The http steps of the workflow; each is also the path it posts to and the body's "effect".
inline constexpr const char* kReserveStep = "reserve";
inline constexpr const char* kPayStep = "pay";
// The notify step: its output's delivery_id must reach the webhook receiver (webhooks.h).
inline constexpr const char* kTellStep = "tell";

// `target` is the side-effect target's base URL ("http://127.0.0.1:PORT"). reserve fails its
// first two attempts (side_effects.h) and retries up to 6 attempts on durable timers 300 ms to
// 1 s apart, which kills cut through; pay retries up to the server's --http-max-attempts (3),
// so some runs fail after 500s. Every approval event is notified to `notify_url` (webhooks.h),
// signed with `secret`, and so is the message of the notify step.
inline std::string WorkflowDefinition(const std::string& target, const std::string& notify_url,
                                      const std::string& secret) {
  return R"({"name": "kill-loop", "steps": [
    {"id": "extract", "type": "code", "lua": "return {tag = input.tag, amount = input.amount}"},
    {"id": "reserve", "type": "http", "method": "POST", "url": ")" + target + R"(/reserve",
     "retry": {"max_attempts": 6, "backoff": "300ms", "max_backoff": "1s", "jitter": true},
     "timeout": "10s", "body": {"effect": "reserve", "tag": "{{input.tag}}"}},
    {"id": "check", "type": "condition", "if": "steps.extract.amount > )" +
         std::to_string(kApprovalAbove) + R"(", "then": "review", "else": "pay"},
    {"id": "review", "type": "approval", "message": "Pay {{input.amount}} for {{input.tag}}?",
     "show": {"tag": "{{input.tag}}", "amount": "{{input.amount}}"}, "edits": ["amount"]},
    {"id": "pay", "type": "http", "method": "POST", "url": ")" + target + R"(/pay",
     "body": {"effect": "pay", "tag": "{{input.tag}}", "reserved": "{{steps.reserve.ref}}"},
     "require_approval": {"when": "input.amount <= )" + std::to_string(kApprovalAbove) +
         R"( and input.amount % 4 == 0"}},
    {"id": "tell", "type": "notify", "message": "Paid {{input.amount}} for {{input.tag}}",
     "target": {"url": ")" + notify_url + R"(", "secret": ")" + secret + R"("}},
    {"id": "done", "type": "code",
     "lua": "return {paid = steps.pay.ref, approved = steps.review and steps.review.show.amount}"}
  ], )" + HooksJson() + R"(, "notify": [{"url": ")" + notify_url + R"(", "secret": ")" +
         secret + R"("}]})";
}

// The request is in the start's own commit (the approval is the first step), so after a restart
// no timed approval appears that was not there before: the checker waits for them all to end.
inline std::string TimedWorkflowDefinition(const std::string& notify_url,
                                           const std::string& secret) {
  return R"({"name": "kill-loop-timed", "steps": [
    {"id": "review", "type": "approval", "message": "Go on with {{input.tag}}?",
     "show": {"tag": "{{input.tag}}"}, "timeout": "1s", "on_timeout": "approve", "quorum": 2,
     "escalate": {"approvers": ["group:kill-loop-leads"], "timeout": "1s"}},
    {"id": "done", "type": "code", "lua": "return {decision = steps.review.decision}"}
  ], )" + HooksJson() + R"(, "notify": [{"url": ")" + notify_url + R"(", "secret": ")" +
         secret + R"("}]})";
}

}  // namespace assent::testing::kill_loop
