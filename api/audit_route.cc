#include "api/audit_route.h"

#include <charconv>
#include <set>
#include <string>

#include "api/json_views.h"
#include "api/protocol/audit_time.h"
#include "base/json_text.h"

namespace assent::api {
namespace {

namespace json = boost::json;

constexpr size_t kDefaultLimit = 100;

std::string_view ChannelName(engine::Channel channel) {
  switch (channel) {
    case engine::Channel::kRest: return "rest";
    case engine::Channel::kStream: return "stream";
    case engine::Channel::kHook: return "hook";
    case engine::Channel::kSchedule: return "schedule";
    case engine::Channel::kUnknown: return "";
  }
  return "";
}

json::object ToJson(const engine::AuditEntry& entry) {
  json::object out{{"at", FormatTime(entry.at_ms)},
                   {"action", entry.action},
                   {"actor", entry.actor},
                   {"workflow", entry.workflow},
                   {"run_id", entry.run_id},
                   {"seq", entry.seq}};
  if (std::string_view channel = ChannelName(entry.channel); !channel.empty()) {
    out["channel"] = channel;
  }
  if (!entry.request_id.empty()) out["request_id"] = entry.request_id;
  if (!entry.approval_id.empty()) out["approval_id"] = entry.approval_id;
  if (!entry.subject.empty()) out["subject"] = entry.subject;
  if (entry.decision) out["decision"] = engine::ToString(*entry.decision);
  if (!entry.edit_diff.empty()) {  // the engine wrote it: text that does not parse stays text
    boost::system::error_code ec;
    json::value diff = ParseJsonText(entry.edit_diff, ec);
    out["edit_diff"] = ec ? json::value(json::string(entry.edit_diff)) : std::move(diff);
  }
  if (!entry.comment.empty()) {
    out[entry.action == "run.cancelled" ? "reason" : "comment"] = entry.comment;
  }
  return out;
}

Result<size_t> ParseLimit(std::string_view text) {
  size_t limit = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
  if (ec != std::errc() || end != text.data() + text.size() || limit == 0 ||
      limit > engine::kMaxAuditLimit) {
    return Status::InvalidArgument("limit must be an integer from 1 to " +
                                   std::to_string(engine::kMaxAuditLimit));
  }
  return limit;
}

}  // namespace

Result<engine::AuditQuery> ParseAuditQuery(const boost::urls::params_view& params,
                                           int64_t now_ms) {
  engine::AuditQuery query;
  query.limit = kDefaultLimit;
  std::set<std::string, std::less<>> seen;
  for (const boost::urls::param& param : params) {
    const std::string& key = param.key;
    const std::string& value = param.value;
    if (!seen.insert(key).second) {
      return Status::InvalidArgument("query parameter " + key + " is given twice");
    }
    if (key == "workflow") {
      query.workflow = value;
    } else if (key == "actor") {
      query.actor = value;
    } else if (key == "run") {
      query.run_id = value;
    } else if (key == "approval") {
      query.approval_id = value;
    } else if (key == "after") {
      query.after = value;
    } else if (key == "since" || key == "until") {
      Result<int64_t> at = ParseAuditTime(value, key, now_ms);
      if (!at.ok()) return at.status();
      (key == "since" ? query.since_ms : query.until_ms) = *at;
    } else if (key == "limit") {
      Result<size_t> limit = ParseLimit(value);
      if (!limit.ok()) return limit.status();
      query.limit = *limit;
    } else {
      return Status::InvalidArgument(
          "unknown query parameter " + key +
          "; audit takes workflow, actor, run, approval, since, until, after and limit");
    }
  }
  return query;
}

json::object ToJson(const engine::AuditPage& page) {
  json::array entries;
  entries.reserve(page.entries.size());
  for (const engine::AuditEntry& entry : page.entries) entries.push_back(ToJson(entry));
  json::object out{{"entries", std::move(entries)}};
  if (!page.next.empty()) out["next"] = page.next;
  return out;
}

}  // namespace assent::api
