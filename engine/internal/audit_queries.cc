#include "engine/internal/audit_queries.h"

#include <algorithm>
#include <iterator>
#include <map>

#include <boost/algorithm/hex.hpp>

#include "engine/internal/audit_index.h"
#include "engine/internal/index_keys.h"
#include "engine/internal/run_commands.h"
#include "engine/internal/stored_table.h"

namespace assent::engine {
namespace {

std::string Text(const flatbuffers::String* text) { return std::string(StoredText(text)); }

Channel FromStored(fb::Channel channel) {
  switch (channel) {
    case fb::Channel::Rest: return Channel::kRest;
    case fb::Channel::Stream: return Channel::kStream;
    case fb::Channel::Hook: return Channel::kHook;
    case fb::Channel::Schedule: return Channel::kSchedule;
    case fb::Channel::Unknown: return Channel::kUnknown;
  }
  return Channel::kUnknown;
}

Decision FromStored(fb::Decision decision) {
  return decision == fb::Decision::Approve ? Decision::kApprove : Decision::kReject;
}

// The entry of an auditable event, with what the index recorded of it.
AuditEntry ToAuditEntry(const fb::Event& event, const AuditFacts& facts) {
  AuditEntry entry;
  entry.at_ms = event.at_ms();
  entry.actor = facts.actor;
  entry.workflow = facts.workflow;
  entry.run_id = Text(event.run_id());
  entry.seq = event.seq();
  if (const auto* body = event.body_as_RunStarted()) {
    // An outside agent's gate is the one approval of its run: opening it starts that run.
    entry.action = facts.workflow == kAgentGateWorkflow ? "gate.opened" : "run.started";
    entry.channel = FromStored(body->channel());
    entry.request_id = Text(body->request_id());
  } else if (const auto* body = event.body_as_ApprovalDecided()) {
    entry.action = "approval.decided";
    entry.channel = FromStored(body->channel());
    entry.request_id = Text(body->request_id());
    entry.approval_id = Text(body->approval_id());
    entry.decision = FromStored(body->decision());
    entry.comment = Text(body->comment());
    entry.edit_diff = Text(body->edit_diff());
  } else if (const auto* body = event.body_as_CommentAdded()) {
    entry.action = "comment.added";
    entry.channel = FromStored(body->channel());
    entry.request_id = Text(body->request_id());
    entry.approval_id = Text(body->approval_id());
    entry.comment = Text(body->text());
  } else if (const auto* body = event.body_as_RunCancelled()) {
    entry.action = "run.cancelled";
    entry.channel = FromStored(body->channel());
    entry.request_id = Text(body->request_id());
    entry.comment = Text(body->reason());
  } else if (const auto* body = event.body_as_RunRetried()) {
    entry.action = "run.retried";
    entry.channel = FromStored(body->channel());
    entry.request_id = Text(body->request_id());
  } else if (const auto* body = event.body_as_UserAdded()) {
    entry.action = "user.added";
    entry.subject = Text(body->user_id());
  } else if (const auto* body = event.body_as_UserGroupsChanged()) {
    entry.action = "user.groups_changed";
    entry.subject = Text(body->user_id());
  } else if (const auto* body = event.body_as_UserRemoved()) {
    entry.action = "user.removed";
    entry.subject = Text(body->user_id());
  } else if (const auto* body = event.body_as_TokenIssued()) {
    entry.action = "token.issued";
    entry.subject = Text(body->token_id());
  } else if (const auto* body = event.body_as_TokenRevoked()) {
    entry.action = "token.revoked";
    entry.subject = Text(body->token_id());
  } else if (const auto* body = event.body_as_ApprovalTimedOut()) {
    entry.action = "approval.timed_out";
    entry.approval_id = Text(body->approval_id());
    entry.comment = "on_timeout: " + std::string(ToString(static_cast<OnTimeout>(body->action())));
  } else if (const auto* body = event.body_as_ApprovalEscalated()) {
    entry.action = "approval.escalated";
    entry.approval_id = Text(body->approval_id());
    entry.comment = "timeout: escalated to rung " + std::to_string(body->rung());
  }
  return entry;
}

// What every entry must pass, whatever the scope it was found in.
struct EntryFilter {
  const AuditQuery& query;
  const Principal& viewer;
  const WorkflowVisibility& may_see;

  bool Accepts(const AuditFacts& facts) const {
    if (!query.workflow.empty() && facts.workflow != query.workflow) return false;
    if (!query.actor.empty() && facts.actor != query.actor) return false;
    if (facts.workflow.empty()) return viewer.admin;
    return viewer.admin || may_see(facts.workflow);
  }
  bool AcceptsApproval(const AuditEntry& entry) const {
    return query.approval_id.empty() || entry.approval_id == query.approval_id;
  }
};

// A page of the entries that follow `from` (an encoded position, exclusive bound handled by
// the caller), within [since, ...).
class PageBuilder {
 public:
  PageBuilder(const AuditQuery& query, std::optional<std::string> since_bound)
      : query_(query), since_bound_(std::move(since_bound)) {}

  // False once the position is older than `since`: nothing after it can match.
  bool InRange(std::string_view position) const {
    return !since_bound_ || position < *since_bound_;
  }
  // Adds `entry` at `position`; false once the page is full and one more match shows that
  // there is a next page.
  bool Add(std::string_view position, AuditEntry entry) {
    if (page_.entries.size() == query_.limit) {
      page_.next = AuditCursor(last_);
      return false;
    }
    last_ = std::string(position);
    page_.entries.push_back(std::move(entry));
    return true;
  }
  // The scan stopped at `position` with more to read: the next page goes on after it.
  void StopAt(std::string_view position) { page_.next = AuditCursor(position); }
  AuditPage Take() { return std::move(page_); }

 private:
  const AuditQuery& query_;
  std::optional<std::string> since_bound_;
  std::string last_;
  AuditPage page_;
};

// The entry an index entry at `position` names, read from its event.
Result<AuditEntry> ReadEntry(storage::EventLog& log, std::string_view position,
                             const AuditFacts& facts) {
  std::optional<AuditPosition> named = DecodeAuditPosition(position);
  if (!named) return Status::Corruption("malformed audit position");
  std::vector<std::string> records;
  Status read = log.ReadRun(named->run_id, named->seq, &records);
  if (!read.ok()) return read;
  const fb::Event* event = records.empty() ? nullptr : fb::GetEvent(records.front().data());
  if (event == nullptr || event->seq() != named->seq || event->body_type() != facts.kind) {
    return Status::Corruption("audit entry names run " + named->run_id + " seq " +
                              std::to_string(named->seq) + ", which is not the event it records");
  }
  return ToAuditEntry(*event, facts);
}

// One run's entries, from its log: every event is there. Sorted by position, as the index
// would list them.
Status ListRun(storage::EventLog& log, const std::string& run_id, std::string_view from,
               const EntryFilter& filter, PageBuilder& page) {
  std::vector<std::string> records;
  Status read = log.ReadRun(run_id, &records);
  if (!read.ok() || records.empty()) return read;
  const auto* started = fb::GetEvent(records.front().data())->body_as_RunStarted();
  std::string workflow = started != nullptr ? Text(started->workflow()) : "";
  std::map<std::string, AuditEntry> by_position;
  for (const std::string& record : records) {
    const fb::Event& event = *fb::GetEvent(record.data());
    std::optional<AuditFacts> facts = AuditFactsOf(event, workflow);
    if (!facts || !filter.Accepts(*facts)) continue;
    std::string position = EncodeAuditPosition(AuditPosition{event.at_ms(), run_id, event.seq()});
    if (position < from || !page.InRange(position)) continue;
    AuditEntry entry = ToAuditEntry(event, *facts);
    if (filter.AcceptsApproval(entry)) by_position.emplace(position, std::move(entry));
  }
  for (auto& [position, entry] : by_position) {
    if (!page.Add(position, std::move(entry))) break;
  }
  return Status::Ok();
}

}  // namespace

std::string AuditCursor(std::string_view position) {
  std::string cursor;
  boost::algorithm::hex_lower(position.begin(), position.end(), std::back_inserter(cursor));
  return cursor;
}

std::optional<std::string> AuditCursorPosition(std::string_view cursor) {
  std::string position;
  try {
    boost::algorithm::unhex(cursor.begin(), cursor.end(), std::back_inserter(position));
  } catch (const boost::algorithm::hex_decode_error&) {
    return std::nullopt;
  }
  if (!DecodeAuditPosition(position)) return std::nullopt;
  return position;
}

Result<AuditPage> AuditQueries::List(const AuditQuery& query, const Principal& viewer,
                                     const WorkflowVisibility& may_see) {
  if (query.limit == 0 || query.limit > kMaxAuditLimit) {
    return Status::InvalidArgument("limit must be from 1 to " + std::to_string(kMaxAuditLimit));
  }
  // Positions sort newest first: a page starts after the cursor and before `until`, and ends
  // at the first position past `since` (positions of times before it sort after this bound).
  std::string from;
  if (!query.after.empty()) {
    std::optional<std::string> cursor = AuditCursorPosition(query.after);
    if (!cursor) return Status::InvalidArgument("after is not a cursor this audit gave");
    from = *cursor + '\0';  // the smallest position after it
  }
  if (query.until_ms) from = std::max(from, AuditPositionsAtOrBefore(*query.until_ms - 1));
  std::optional<std::string> since_bound;
  if (query.since_ms) since_bound = AuditPositionsAtOrBefore(*query.since_ms - 1);

  EntryFilter filter{query, viewer, may_see};
  PageBuilder page(query, std::move(since_bound));

  std::string run_id = query.run_id;
  if (!query.approval_id.empty()) {
    std::string_view approval_run = RunIdOfApproval(query.approval_id);
    if (approval_run.empty() || (!run_id.empty() && run_id != approval_run)) return page.Take();
    run_id = std::string(approval_run);
  }
  if (!run_id.empty()) {
    Status listed = ListRun(log_, run_id, from, filter, page);
    if (!listed.ok()) return listed;
    return page.Take();
  }

  AuditScope scope = !query.actor.empty()      ? AuditScope::kActor
                     : !query.workflow.empty() ? AuditScope::kWorkflow
                                               : AuditScope::kEverything;
  std::string prefix =
      AuditPrefix(scope, scope == AuditScope::kActor ? query.actor : query.workflow);
  size_t scanned = 0;
  std::string last_scanned;
  Status failed;
  Status scan = log_.ScanIndexFrom(
      storage::Index::kAudit, prefix, prefix + from,
      [&](std::string_view key, std::string_view value) {
        std::string_view position = key.substr(prefix.size());
        if (!page.InRange(position)) return false;
        if (scanned++ == kMaxAuditEntriesScanned) {
          page.StopAt(last_scanned);
          return false;
        }
        last_scanned = position;
        Result<AuditFacts> facts = DecodeAuditRecord(value);
        if (!facts.ok()) {
          failed = SkipOrFail(facts.status(), position);
          return failed.ok();
        }
        if (!filter.Accepts(*facts)) return true;
        Result<AuditEntry> entry = ReadEntry(log_, position, *facts);
        if (!entry.ok()) {
          failed = SkipOrFail(entry.status(), position);
          return failed.ok();
        }
        return page.Add(position, std::move(entry).value());
      });
  if (!scan.ok()) return scan;
  if (!failed.ok()) return failed;
  return page.Take();
}

Status AuditQueries::SkipOrFail(const Status& why, std::string_view position) {
  if (why.code() != StatusCode::kCorruption && why.code() != StatusCode::kNotFound) return why;
  logger_.Error("unreadable item skipped in a list",
                {{"kind", "audit entry"},
                 {"id", AuditCursor(position)},
                 {"error", why.ToString()}});
  return Status::Ok();
}

}  // namespace assent::engine
