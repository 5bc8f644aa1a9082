// Engine: the facade the api layer calls. It owns the run state of every unfinished run, turns
// commands into events, commits them to the event log (group-committed, synced), applies them,
// runs the steps' effects after they are durable, and answers queries by folding the log.
//
// Thread safety: every method may be called from any thread. Command callbacks run on one of
// the engine's threads once the outcome is durable, or at once on the caller's thread when a
// command is refused or answered without a commit; they must be short, must not block and must
// not assume which (post the reply to your own executor). Queries run on the caller's thread
// and read durable state. Shutdown must not be called from one of the engine's threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/actor.h"
#include "engine/audit.h"
#include "engine/views.h"
#include "engine/webhook.h"
#include "base/logger.h"
#include "base/status.h"

namespace assent::storage {
class EventLog;
}

namespace boost::asio {
class io_context;
}

namespace assent::engine {

struct EngineOptions {
  // Shards, each owning the runs hashed to it and running on a strand. 0: one per core.
  size_t shards = 0;
  // The threads the shards run on: the server passes its io_context, so the thread that read
  // a request usually runs its command too, with no hand-over. It must run until the engine is
  // destroyed. Null: the engine runs `shards` threads of its own.
  boost::asio::io_context* io_context = nullptr;

  // Lua limits for each code step and condition, which run on a shard's strand.
  uint64_t lua_max_instructions = 1'000'000;
  size_t lua_max_memory_bytes = 32u << 20;
  // CPU time each code step or condition may take (its thread's CPU clock), so that no script
  // holds its shard, and the runs and shutdown waiting behind it, for long. 0: unlimited.
  uint32_t lua_max_cpu_ms = 100;
  // HTTP steps: the per-attempt timeout, and how a failed attempt is retried unless the step's
  // `retry` says otherwise (engine/internal/http_retry.h): the first wait, doubled after each
  // failure up to http_max_backoff_ms and shortened by up to http_retry_jitter of itself; the
  // step gives up once a retry would start more than http_give_up_after_ms after its first
  // failure, or after http_max_attempts attempts (0: no limit by count). Each wait is a durable
  // timer: a retry survives a restart.
  uint32_t http_timeout_ms = 10'000;
  uint32_t http_max_attempts = 0;
  int64_t http_retry_backoff_ms = 1'000;
  int64_t http_max_backoff_ms = 300'000;
  double http_retry_jitter = 0.2;
  int64_t http_give_up_after_ms = 86'400'000;
  // Whether http steps may connect to link-local addresses and cloud metadata services
  // (169.254.0.0/16, fe80::/10, fd00:ec2::254, 100.100.100.200; engine/internal/link_local.h).
  // Off, a step whose host resolves there fails before connecting: a request from inside a
  // cloud host to its metadata service reads the host's credentials.
  bool http_allow_link_local = false;
  // Outbound connections (http steps and webhook deliveries) are kept open for reuse and
  // bounded per origin (scheme, host, port; engine/internal/http_pool.h): at most
  // http_max_connections_per_host at once unless a step sets its own `max_connections`; more
  // calls wait in order, at most http_max_queued_per_host per origin (beyond that a call fails
  // as a network failure would, and is retried as one). An idle connection closes after
  // http_idle_timeout.
  size_t http_max_connections_per_host = 8;
  size_t http_max_queued_per_host = 10'000;
  std::chrono::milliseconds http_idle_timeout{30'000};

  // Waiting runs kept in memory. Beyond this many, or beyond this many bytes (each run's state
  // estimated: input, outputs, approvals with their shown fields and comments), the least
  // recently used idle waiting run is dropped from memory and rebuilt from the log when a
  // command (a decision) arrives for it: a run waiting for a human costs nothing until the
  // human answers. Both budgets are for all shards together: each keeps its share.
  size_t max_cached_waiting_runs = 10'000;
  size_t max_cached_waiting_bytes = 256u << 20;

  // Limits on what clients and workflows put into runs, checked here so an embedding program
  // gets them too. A command over one is refused with kTooLarge (HTTP 413 `too_large`); a step
  // over one fails the run. Either way the message names the limit and the actual size. Sizes
  // are bytes: serialized JSON for JSON values, UTF-8 for text.
  size_t max_input_bytes = 1u << 20;               // a run's input
  size_t max_step_output_bytes = 1u << 20;         // a code or condition step's output, an http
                                                   // step's response body
  size_t max_approval_message_bytes = 64u << 10;   // an approval's rendered message
  size_t max_approval_show_bytes = 256u << 10;     // an approval's rendered `show`
  size_t max_comment_bytes = 64u << 10;            // a comment, and a decision's comment
  size_t max_comments_per_approval = 1'000;

  // Called once, on an engine thread, when the log fails a write for good (kIOError). From
  // then on the engine refuses every command with kUnavailable: memory may be ahead of the
  // disk, and only a restart (replaying the log) makes them agree again. A server should exit
  // here so that its supervisor restarts it. Empty: only refuse.
  // A write the log refuses for now (kUnavailable: a full disk, a read-only log) is not such a
  // failure: the command is answered kUnavailable, the run stays as the log has it, reads go
  // on, and the engine logs one line when writes start being refused and one when they are
  // taken again.
  std::function<void(const Status&)> on_storage_failure = nullptr;
  // While the log refuses writes for now, runs whose own progress could not be recorded (an
  // http step's outcome, the next step after a decision) are retried: one of them this often,
  // and all of them as soon as any commit succeeds again. A retry is what a restart would do
  // (recovery: a started http step runs again as a new attempt).
  std::chrono::milliseconds storage_retry_interval{1000};

  // Webhook notifications (a definition's `notify` targets): each is recorded in the commit of
  // the approval event that causes it, then sent until a 2xx answers, retried after
  // notify_retry_initial, doubling up to notify_retry_max, and given up (logged) once
  // notify_give_up_after has passed since it was recorded. At most notify_max_pending wait
  // at once: beyond that a new notification is dropped and logged (the event itself commits).
  // Each attempt has notify_timeout; at most notify_max_in_flight are sent at once.
  std::chrono::milliseconds notify_retry_initial{1'000};
  std::chrono::milliseconds notify_retry_max{600'000};
  std::chrono::milliseconds notify_give_up_after{24 * 3'600'000};
  size_t notify_max_pending = 100'000;
  std::chrono::milliseconds notify_timeout{10'000};
  size_t notify_max_in_flight = 16;
  // The server's address as people reach it ("https://assent.example"): notifications link to
  // "<public_url>/approvals/<id>". Empty: they carry no link.
  std::string public_url;
  // The body of each notification. Empty: a minimal JSON body (type, delivery id, workflow,
  // run and approval ids, link); the server passes the full formats (api/webhook_payload.h).
  WebhookRenderer render_webhook = nullptr;

  // Where the engine reports failed runs, storage errors and what it skips. Must outlive the
  // engine.
  Logger* logger = &NullLogger();
};

struct StartRunCommand {
  std::string workflow;
  boost::json::object input;
  std::string idempotency_key;  // empty: none
  // 0: answer once the start is durable. Otherwise answer once the run has finished, or when
  // this much time has passed, whichever comes first (see AwaitRun), with the run.
  std::chrono::milliseconds wait{0};
  Actor actor = {};  // who starts it: recorded in RunStarted
};

// A request to one of a workflow's inbound webhooks (its definition's `hooks`), to start a
// run with the request's body as input. The hook itself is the credential: its secret, sent
// as a header or keying an HMAC signature of the body (engine/internal/inbound_hooks.h).
struct HookStartCommand {
  std::string workflow;
  std::string hook_id;
  std::string body;           // the raw request body: what a signature covers
  boost::json::object input;  // the body, parsed
  // The request's headers, names in lower case: the secret or signature, and the delivery id.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string request_id;  // the server's id for the request
};

struct StartRunResult {
  std::string run_id;
  bool created = true;  // false: the idempotency key named an existing run
  std::optional<RunView> run = std::nullopt;  // set when the command had a wait
};

struct DecideCommand {
  std::string approval_id;
  Decision decision = Decision::kApprove;
  Actor actor;  // the reviewer: recorded in ApprovalDecided
  std::string comment;
  // An approval may replace fields of what the approval shows (its step's `edits` rule says
  // which); later steps see the edited values. Empty: none.
  boost::json::object edits;
};

struct CommentCommand {
  std::string approval_id;
  Actor actor;  // the author: recorded in CommentAdded
  std::string text;
};

struct CancelCommand {
  std::string run_id;
  Actor actor;  // recorded in RunCancelled
  std::string reason;
};

struct RetryCommand {
  std::string run_id;
  Actor actor;  // recorded in RunRetried
};

// An outside agent's gate (POST /v1/gates): an approval that belongs to no workflow, put in
// front of a tool call the agent is about to make (engine/internal/agent_gate.h).
struct OpenGateCommand {
  // {"title", "message", "context", "approvers", "timeout"}: title required, the rest optional.
  boost::json::value request;
  // Empty: none. A key is its opener's own: the same key from another principal opens another
  // gate.
  std::string idempotency_key;
  Actor actor;  // who opens it: anyone signed in; recorded as the gate's run's starter
};

struct OpenGateResult {
  ApprovalView gate;
  bool created = true;  // false: the key named a gate its opener opened before
};

// Lists are newest first across statuses (run ids and approval ids sort by start time) and
// come in pages: pass a page's `next` as the following query's `after`. A page holds at most
// `limit` items; it may hold fewer and still have a `next` when filtering passed over many
// entries (each page examines a bounded number), so clients page on until `next` is empty.
// An item never appears on two pages, and one that existed when the first page was read is on
// one of them unless it changed status in between (for a list filtered by status) or the
// viewer lost sight of it.
struct RunQuery {
  std::optional<std::string> workflow;
  std::optional<RunStatus> status;
  std::optional<int64_t> started_before_ms;  // only runs started before this (ms since epoch)
  std::optional<int64_t> started_since_ms;   // only runs started at or after this
  size_t limit = 100;
  std::string after;  // a page's `next`; empty: from the newest
};

struct RunPage {
  std::vector<RunView> runs;
  std::string next;  // empty on the last page
};

struct ApprovalQuery {
  std::optional<std::string> workflow;
  std::optional<ApprovalStatus> status;
  // Only pending approvals the viewer may decide (access_rules: approvers, editors,
  // self_approval): a reviewer's inbox. Implies status pending.
  bool decidable_by_viewer = false;
  // Only approvals whose message, workflow name, gate title or one of whose `show` values (at any
  // depth; numbers as shortest decimals, booleans as true/false) contains this, ASCII letters
  // compared without case (engine/internal/approval_text_match.h). Empty: no such filter.
  std::string text;
  size_t limit = 100;
  std::string after;
};

struct ApprovalPage {
  std::vector<ApprovalView> approvals;
  std::string next;
};

template <typename T>
using Callback = std::function<void(Result<T>)>;

using Listener = std::function<void(const ApprovalNotification&)>;

// What VerifyLog found: how many items it read, and one line for each it could not read or that
// disagrees with the rest, naming the item (empty when the log is sound).
struct VerifyReport {
  size_t workflow_versions = 0;
  size_t runs = 0;
  size_t approvals = 0;
  size_t identity_changes = 0;  // events of the directory of users and tokens
  std::vector<std::string> problems;
};

// Reads every item the engine keeps in `log` as the engine would (see
// engine/internal/log_verifier.cc for what is checked). Fails only when the log cannot be read
// at all; a bad item is a problem in the report. Only reads `log`.
Result<VerifyReport> VerifyLog(storage::EventLog& log);

class Engine {
 public:
  // Runs the engine over `log`: loads workflow definitions, replays every unfinished run and
  // resumes it. The caller opens the log (the server a RocksEventLog, tests a MemEventLog) and
  // keeps it open until the engine is destroyed.
  static Result<std::unique_ptr<Engine>> Open(storage::EventLog& log, EngineOptions options);

  virtual ~Engine() = default;

  // Access (engine/internal/access_rules.h): every query takes the principal it answers, and
  // every command carries one in its actor. An item the principal may not see answers
  // kNotFound exactly as an unknown one does; a command they may not give is kPermissionDenied
  // and records nothing.

  // Validates and stores a definition, as `by` (admins; editors of the existing workflow). A
  // definition equal to the latest version is not stored again. kInvalidArgument names the
  // offending step.
  virtual Result<WorkflowView> ApplyWorkflow(const Principal& by, std::string_view name,
                                             const boost::json::value& definition) = 0;
  virtual Result<WorkflowView> GetWorkflow(const Principal& viewer,
                                           std::string_view name) = 0;  // latest version
  virtual Result<std::vector<WorkflowView>> ListWorkflows(
      const Principal& viewer) = 0;  // latest of each
  // Every readable version of the workflow, newest first (kNotFound as GetWorkflow).
  virtual Result<std::vector<WorkflowView>> ListWorkflowVersions(const Principal& viewer,
                                                                 std::string_view name) = 0;
  // Disables the workflow (no new runs start; running runs finish) or enables it again, as
  // `by` may apply it: a new version of its latest definition with "disabled": true, or
  // without it. Already so: the latest version, unchanged.
  virtual Result<WorkflowView> SetWorkflowDisabled(const Principal& by, std::string_view name,
                                                   bool disabled) = 0;
  // Whether `viewer` may see workflow `workflow`, its runs and their approvals. Cheap (a map
  // lookup under a shared lock, kept current as definitions are applied): for filtering each
  // message of a reviewers' stream.
  virtual bool MayView(const Principal& viewer, std::string_view workflow) = 0;
  // Whether `viewer` may see `approval`: as MayView of its workflow, or an outside agent's gate
  // by its own rules (its opener, its approvers, admins). As cheap.
  virtual bool MayViewApproval(const Principal& viewer, const ApprovalView& approval) = 0;

  // Commands: `done` runs once the outcome is durable (or refused, with nothing written).
  virtual void StartRun(StartRunCommand command, Callback<StartRunResult> done) = 0;
  // Starts a run as one of the workflow's hooks, once the request proves it knows the hook's
  // secret: as StartRun, with the actor "hook:<workflow>/<hook id>" (channel kHook) and no
  // access list consulted. A request with the delivery id of an earlier one answers with the
  // run that one started (created false). kNotFound: no such workflow or hook;
  // kPermissionDenied: the secret or signature is missing or wrong (nothing else is).
  virtual void StartRunFromHook(HookStartCommand command, Callback<StartRunResult> done) = 0;
  virtual void Decide(DecideCommand command, Callback<ApprovalView> done) = 0;
  virtual void AddComment(CommentCommand command, Callback<ApprovalView> done) = 0;
  virtual void Cancel(CancelCommand command, Callback<RunView> done) = 0;
  // Runs a failed run again from the step it failed at, with a fresh attempt budget (admins and
  // the workflow's editors). kConflict for a run that is not failed.
  virtual void Retry(RetryCommand command, Callback<RunView> done) = 0;

  // Opens an outside agent's gate, once it is durable: a pending approval its approvers (and
  // admins) decide, never its opener. kInvalidArgument names a bad field of the request;
  // kFailedPrecondition: the key opened a gate with another request. Answers with the gate.
  virtual void OpenGate(OpenGateCommand command, Callback<OpenGateResult> done) = 0;
  // A long poll for a gate's outcome: answers with the gate once it is no longer pending
  // (approved, with any edits, rejected with the feedback, timed out or cancelled), or as it
  // stands when `wait` has passed. kNotFound for an unknown gate, or one `viewer` may not see.
  virtual void AwaitGate(const Principal& viewer, std::string gate_id,
                         std::chrono::milliseconds wait, Callback<ApprovalView> done) = 0;

  // A long poll for a run's result: answers with the run once it has finished (completed,
  // failed or cancelled), or as it stands when `wait` has passed, whichever comes first.
  // kNotFound for an unknown run. A run finishing in memory is answered from memory.
  virtual void AwaitRun(const Principal& viewer, std::string run_id,
                        std::chrono::milliseconds wait, Callback<RunView> done) = 0;

  // Queries: durable state, folded from the log, as `viewer` may see it.
  virtual Result<RunView> GetRun(const Principal& viewer, std::string_view run_id) = 0;
  virtual Result<RunPage> ListRuns(const Principal& viewer, const RunQuery& query) = 0;
  virtual Result<std::vector<EventView>> GetEvents(const Principal& viewer,
                                                   std::string_view run_id) = 0;
  virtual Result<ApprovalView> GetApproval(const Principal& viewer,
                                           std::string_view approval_id) = 0;
  virtual Result<ApprovalPage> ListApprovals(const Principal& viewer,
                                             const ApprovalQuery& query) = 0;
  // Who may decide `approval` (one the viewer may see), and whether `viewer` may now. Cheap for
  // approvals read by this version (two registry lookups); one written before v0.10 folds its
  // run.
  virtual DecidersView Deciders(const Principal& viewer, const ApprovalView& approval) = 0;
  // How many pending approvals `viewer` may decide (what `decidable_by_viewer` lists, all
  // pages): from a tally kept in memory, grouped by workflow, version, step and starter, so it
  // costs one access check per group however many approvals are pending.
  virtual size_t CountDecidable(const Principal& viewer) = 0;
  // Visits the approvals `viewer` may see one at a time, in id order, until `visit` returns
  // false: for callers that want every one of a great many (a reviewer's snapshot) without
  // holding them all.
  virtual Status ForEachApproval(const Principal& viewer, std::optional<ApprovalStatus> status,
                                 const std::function<bool(const ApprovalView&)>& visit) = 0;
  // Visits approvals in `status` newest first (ids sort by their run's start, to the
  // millisecond; then in id order), starting below
  // `before_id` (exclusive; empty: the newest), until `visit` returns false: one page of a
  // reviewer's snapshot costs the page, however many approvals there are.
  virtual Status ForEachApprovalNewestFirst(
      ApprovalStatus status, std::string_view before_id,
      const std::function<bool(const ApprovalView&)>& visit) = 0;

  // The audit trail (engine/audit.h): the page of `query` that `viewer` may see, newest
  // first. kInvalidArgument names a bad limit or cursor.
  virtual Result<AuditPage> ListAudit(const AuditQuery& query, const Principal& viewer) = 0;

  // Reviewers' feed. `listener` runs on the log's commit thread as soon as each approval event
  // is durable, in commit order; it must be quick and must not block: every commit waits on
  // it. Unsubscribe does not wait for a call already under way. Subscribe before taking a
  // snapshot so nothing falls between the two.
  //
  // Each notification carries a cursor: its position in the log's commit order, 1, 2, 3 ...
  // with no gaps and never reused, across restarts too. A listener sees them in cursor order.
  virtual uint64_t Subscribe(Listener listener) = 0;
  virtual void Unsubscribe(uint64_t subscription) = 0;
  // The cursor of the last notification whose commit is durable (0: none ever). A listener
  // subscribed before this is read receives every notification after it.
  virtual uint64_t LastCursor() = 0;

  // Ok while the engine accepts commands and the log takes writes; kUnavailable with the
  // reason while the log refuses writes (a full disk, a read-only log), or for good once it
  // has failed a write.
  virtual Status Health() = 0;

  // Stops accepting commands (they get kUnavailable), lets every command already accepted and
  // every commit in flight finish and answer its caller, then stops the shards (and joins the
  // engine's own threads, if it runs any). After
  // it returns no callback runs.
  virtual void Shutdown() = 0;
};

}  // namespace assent::engine
