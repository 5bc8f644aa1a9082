#include "api/webhook_payload.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "api/json_views.h"

namespace assent::api {
namespace {

namespace json = boost::json;

// Slack's limits (api.slack.com/reference/block-kit/blocks): a section's text 3,000
// characters, a field 2,000, at most 10 fields per section, a header 150, 50 blocks.
constexpr size_t kSectionText = 3000;
constexpr size_t kFieldText = 2000;
constexpr size_t kFieldsPerSection = 10;
constexpr size_t kMaxFieldSections = 4;

// `text` cut to at most `limit` bytes (so at most `limit` characters) on a UTF-8 boundary,
// with "…" when cut.
std::string Truncate(std::string text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t end = limit - 3;  // room for the 3 bytes of "…"
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return text + "\xE2\x80\xA6";
}

// Slack mrkdwn treats &, < and > as markup (links, mentions): shown text escapes them.
std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string_view Title(std::string_view type) {
  if (type == "approval.requested") return "Approval requested";
  if (type == "approval.decided") return "Approval decided";
  if (type == "approval.timed_out") return "Approval timed out";
  if (type == "approval.escalated") return "Approval escalated";
  if (type == "approval.reminded") return "Approval still waiting";
  return "Approval cancelled";
}

json::object Mrkdwn(std::string text) { return {{"type", "mrkdwn"}, {"text", std::move(text)}}; }

// A small grey line under the message: where it came from.
json::object ContextBlock(std::string text) {
  return {{"type", "context"},
          {"elements", json::array{Mrkdwn(Truncate(std::move(text), kSectionText))}}};
}

// A button linking to `url`: the approval or the run on the dashboard.
json::object LinkButtonBlock(std::string_view label, const std::string& url) {
  return {{"type", "actions"},
          {"elements", json::array{json::object{
                           {"type", "button"},
                           {"text", {{"type", "plain_text"}, {"text", label}}},
                           {"url", url}}}}};
}

// A shown value as people read it: strings as they are, anything else as JSON.
std::string Shown(const json::value& value) {
  return value.is_string() ? std::string(value.as_string()) : json::serialize(value);
}

// An approval's edits, a line each: "\n`amount`: 7200 → 6500".
std::string EditLines(const json::array& edit_diff) {
  std::string lines;
  for (const json::value& change : edit_diff) {
    const json::object* fields = change.if_object();
    if (fields == nullptr) continue;
    const json::value* path = fields->if_contains("path");
    const json::value* before = fields->if_contains("before");
    const json::value* after = fields->if_contains("after");
    std::string field = path != nullptr && path->is_string() ? std::string(path->as_string()) : "";
    if (!field.empty() && field[0] == '/') field.erase(0, 1);
    lines += "\n`" + Escape(field) + "`: " + Escape(before ? Shown(*before) : "(none)") +
             " \u2192 " + Escape(after ? Shown(*after) : "(none)");
  }
  return lines;
}

json::array ShowSections(const json::object& show) {
  json::array sections;
  json::array fields;
  for (const auto& [key, value] : show) {
    if (sections.size() == kMaxFieldSections) break;
    fields.push_back(Mrkdwn(
        Truncate("*" + Escape(key) + "*\n" + Escape(Shown(value)), kFieldText)));
    if (fields.size() == kFieldsPerSection) {
      sections.push_back(json::object{{"type", "section"}, {"fields", std::move(fields)}});
      fields = json::array();
    }
  }
  if (!fields.empty() && sections.size() < kMaxFieldSections) {
    sections.push_back(json::object{{"type", "section"}, {"fields", std::move(fields)}});
  }
  return sections;
}

std::string RenderSlack(const engine::WebhookMessage& message) {
  const engine::ApprovalView& approval = message.approval;
  json::array blocks;
  blocks.push_back(json::object{
      {"type", "header"},
      {"text", {{"type", "plain_text"}, {"text", std::string(Title(message.type))}}}});
  blocks.push_back(json::object{{"type", "section"},
                                {"text", Mrkdwn(Truncate(Escape(approval.message), kSectionText))}});
  for (json::value& section : ShowSections(approval.show)) blocks.push_back(std::move(section));
  std::string outcome;
  const bool decided = approval.status == engine::ApprovalStatus::kApproved ||
                       approval.status == engine::ApprovalStatus::kRejected;
  if (decided && !approval.decisions.empty()) {
    const engine::DecisionView& decision = approval.decisions.back();
    outcome = std::string(decision.decision == engine::Decision::kApprove ? "*Approved*"
                                                                          : "*Rejected*") +
              " by " + Escape(decision.reviewer);
    if (!decision.comment.empty()) outcome += ": " + Escape(decision.comment);
    outcome += EditLines(decision.edit_diff);
  } else if (approval.status == engine::ApprovalStatus::kCancelled) {
    outcome = "*Cancelled*: the run was cancelled";
  } else if (approval.status == engine::ApprovalStatus::kTimedOut) {
    outcome = "*Timed out*: nobody decided in time";
  } else if (message.type == "approval.escalated") {
    outcome = "*Escalated*: nobody decided in time; its next approvers decide it now";
  } else if (message.type == "approval.reminded") {
    outcome = "*Reminder*: it still waits for a decision";
  }
  if (!outcome.empty()) {
    blocks.push_back(json::object{{"type", "section"},
                                  {"text", Mrkdwn(Truncate(outcome, kSectionText))}});
  }
  blocks.push_back(ContextBlock("workflow `" + Escape(message.approval.workflow) + "` · run `" +
                                 Escape(approval.run_id) + "`"));
  if (!message.approval_url.empty()) {
    blocks.push_back(LinkButtonBlock("Open approval", message.approval_url));
  }
  // The fallback line: notifications and clients without blocks show only this.
  std::string text = std::string(Title(message.type)) + ": " + Escape(approval.message);
  if (!outcome.empty()) text += " (" + outcome + ")";
  return json::serialize(
      json::object{{"text", Truncate(std::move(text), kSectionText)}, {"blocks", std::move(blocks)}});
}

std::string RenderJson(const engine::WebhookMessage& message) {
  json::value url = message.approval_url.empty() ? json::value(nullptr)
                                                 : json::value(message.approval_url);
  return json::serialize(json::object{{"type", message.type},
                                      {"delivery_id", message.delivery_id},
                                      {"workflow", message.approval.workflow},
                                      {"run_id", message.approval.run_id},
                                      {"approval", ToJson(message.approval)},
                                      {"url", std::move(url)}});
}

// A notify step's message: the message as its text (the fallback line too), then where it
// came from, and a link to the run.
std::string RenderNoticeSlack(const engine::StepNotice& notice) {
  json::array blocks;
  blocks.push_back(json::object{
      {"type", "section"}, {"text", Mrkdwn(Truncate(Escape(notice.message), kSectionText))}});
  blocks.push_back(ContextBlock("workflow `" + Escape(notice.workflow) + "` · run `" +
                                 Escape(notice.run_id) + "` · step `" + Escape(notice.step_id) +
                                 "`"));
  if (!notice.run_url.empty()) blocks.push_back(LinkButtonBlock("Open run", notice.run_url));
  return json::serialize(json::object{{"text", Truncate(Escape(notice.message), kSectionText)},
                                      {"blocks", std::move(blocks)}});
}

std::string RenderNoticeJson(const engine::WebhookMessage& message) {
  const engine::StepNotice& notice = message.notice;
  json::value url = notice.run_url.empty() ? json::value(nullptr) : json::value(notice.run_url);
  return json::serialize(json::object{{"type", message.type},
                                      {"delivery_id", message.delivery_id},
                                      {"workflow", notice.workflow},
                                      {"run_id", notice.run_id},
                                      {"step", notice.step_id},
                                      {"message", notice.message},
                                      {"url", std::move(url)}});
}

}  // namespace

std::string RenderWebhook(const engine::WebhookMessage& message) {
  const bool slack = message.format == engine::WebhookFormat::kSlack;
  if (message.type == engine::kStepNotifyType) {
    return slack ? RenderNoticeSlack(message.notice) : RenderNoticeJson(message);
  }
  return slack ? RenderSlack(message) : RenderJson(message);
}

}  // namespace assent::api
