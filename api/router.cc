#include "api/router.h"

#include <charconv>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "api/audit_route.h"
#include "api/commands.h"
#include "api/gate_routes.h"
#include "api/hook_route.h"
#include "api/identity_routes.h"
#include "api/workflow_routes.h"
#include "api/json_views.h"
#include "api/list_query.h"
#include "api/request_id.h"
#include "api/route_call.h"

namespace assent::api {

namespace http = boost::beast::http;
namespace json = boost::json;
namespace urls = boost::urls;

namespace {

constexpr size_t kDefaultListLimit = 100;
constexpr size_t kMaxListLimit = 1000;

// ?limit=N within [1, kMaxListLimit], default kDefaultListLimit; nullopt after answering 400.
std::optional<size_t> Limit(const Call& call) {
  std::optional<std::string> text = call.Query("limit");
  if (!text) return kDefaultListLimit;
  size_t limit = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
  if (ec != std::errc() || end != text->data() + text->size() || limit == 0 ||
      limit > kMaxListLimit) {
    call.reply.Error(ApiError::InvalidArgument("limit must be an integer from 1 to " +
                                               std::to_string(kMaxListLimit)));
    return std::nullopt;
  }
  return limit;
}

// ?limit= and ?after= (a cursor from a page's "next"); false after answering 400.
bool PageOf(const Call& call, size_t* limit, std::string* after) {
  std::optional<size_t> parsed = Limit(call);
  if (!parsed) return false;
  *limit = *parsed;
  if (std::optional<std::string> cursor = call.Query("after")) {
    std::optional<std::string> position = call.Command(DecodeCursor(*cursor));
    if (!position) return false;
    *after = std::move(*position);
  }
  return true;
}

// {key: [items...], "next": cursor}, "next" only when there is a next page.
json::object PageJson(std::string_view key, json::array items, const std::string& next) {
  json::object page{{key, std::move(items)}};
  if (!next.empty()) page["next"] = EncodeCursor(next);
  return page;
}

// 503 once the engine refuses commands (its log failed a write), so a load balancer or
// supervisor stops sending traffic here until a restart.
void Healthz(Call& call) {
  Status health = call.engine.Health();
  if (!health.ok()) {
    return call.reply.Json(http::status::service_unavailable,
                           json::object{{"status", "unavailable"}, {"error", health.ToString()}});
  }
  call.reply.Json(http::status::ok, json::object{{"status", "ok"}});
}

void ListWorkflows(Call& call) {
  call.reply.List(call.engine.ListWorkflows(call.caller), "workflows");
}

void GetWorkflow(Call& call) {
  call.reply.View(call.engine.GetWorkflow(call.caller, call.params[0]));
}

void PutWorkflow(Call& call) {
  std::optional<json::object> body = call.Body();
  if (!body) return;
  if (const json::value* name = body->if_contains("name");
      name != nullptr && !(name->is_string() && name->get_string() == call.params[0])) {
    return call.reply.Error(ApiError::InvalidArgument("the body's \"name\" must equal \"" +
                                                      call.params[0] + "\""));
  }
  call.reply.View(
      call.engine.ApplyWorkflow(call.caller, call.params[0], json::value(std::move(*body))));
}

// With ?wait=, answers with the whole run (as GET /v1/runs/{id} would) once it has finished
// or the wait is over, rather than with {"run_id"} once the start is durable.
void StartRun(Call& call) {
  std::optional<std::chrono::milliseconds> wait = call.Wait();
  if (!wait) return;
  std::optional<json::object> body = call.Body();
  if (!body) return;
  std::optional<engine::StartRunCommand> command = call.Command(ParseStartRun(
      call.params[0], *body, std::string(call.request["Idempotency-Key"]), call.Actor()));
  if (!command) return;
  command->wait = *wait;
  call.engine.StartRun(std::move(*command),
                       [reply = call.reply](Result<engine::StartRunResult> result) {
                         if (!result.ok()) return reply.Error(ErrorFromStatus(result.status()));
                         http::status status =
                             result->created ? http::status::created : http::status::ok;
                         if (result->run) {
                           return reply.Json(status, ToJson(std::move(*result->run)));
                         }
                         reply.Json(status, json::object{{"run_id", result->run_id}});
                       });
}

// Newest first across statuses, a page at a time: {"runs": [...], "next": "<cursor>"}.
void ListRuns(Call& call) {
  engine::RunQuery query;
  if (std::optional<std::string> text = call.Query("status")) {
    query.status = engine::ParseRunStatus(*text);
    if (!query.status) {
      return call.reply.Error(ApiError::InvalidArgument(
          "status must be running, waiting, completed, failed or cancelled"));
    }
  }
  query.workflow = call.Query("workflow");
  auto now = std::chrono::system_clock::now();
  if (std::optional<std::string> text = call.Query("older_than")) {
    std::optional<int64_t> bound = call.Command(ParseAgeBound(*text, now));
    if (!bound) return;
    query.started_before_ms = *bound;
  }
  if (std::optional<std::string> text = call.Query("newer_than")) {
    std::optional<int64_t> bound = call.Command(ParseAgeBound(*text, now));
    if (!bound) return;
    query.started_since_ms = *bound;
  }
  if (!PageOf(call, &query.limit, &query.after)) return;
  auto page = call.engine.ListRuns(call.caller, query);
  if (!page.ok()) return call.reply.Error(ErrorFromStatus(page.status()));
  call.reply.Json(http::status::ok, PageJson("runs", ToJsonArray(page->runs), page->next));
}

// With ?wait=, a long poll: answers once the run has finished or the wait is over.
void GetRun(Call& call) {
  std::optional<std::chrono::milliseconds> wait = call.Wait();
  if (!wait) return;
  if (wait->count() == 0) return call.reply.View(call.engine.GetRun(call.caller, call.params[0]));
  call.engine.AwaitRun(call.caller, call.params[0], *wait,
                       [reply = call.reply](Result<engine::RunView> run) {
                         reply.View(std::move(run));
                       });
}

void GetEvents(Call& call) {
  call.reply.List(call.engine.GetEvents(call.caller, call.params[0]), "events");
}

// A command on the run the path names (cancel, retry): answered with the run as it left it.
template <typename Command>
void OnRun(Call& call,
           Result<Command> (*parse)(std::string_view, const json::object&, engine::Actor),
           void (engine::Engine::*send)(Command, engine::Callback<engine::RunView>)) {
  std::optional<json::object> body = call.Body();
  if (!body) return;
  std::optional<Command> command = call.Command(parse(call.params[0], *body, call.Actor()));
  if (!command) return;
  (call.engine.*send)(std::move(*command), [reply = call.reply](Result<engine::RunView> run) {
    reply.View(std::move(run));
  });
}

void CancelRun(Call& call) { OnRun(call, ParseCancel, &engine::Engine::Cancel); }
void RetryRun(Call& call) { OnRun(call, ParseRetry, &engine::Engine::Retry); }

// The longest ?q= taken: a search box's text, not a document.
constexpr size_t kMaxSearchBytes = 256;

// An approval as the caller sees it: with who may decide it and whether the caller may now.
json::object ApprovalJson(engine::Engine& engine, const engine::Principal& caller,
                          const engine::ApprovalView& approval) {
  return ToJson(approval, engine.Deciders(caller, approval));
}

// The approval a command answers with, or its error.
engine::Callback<engine::ApprovalView> ReplyWithApproval(const Call& call, http::status status) {
  return [reply = call.reply, &engine = call.engine, caller = call.caller,
          status](Result<engine::ApprovalView> approval) {
    if (!approval.ok()) return reply.Error(ErrorFromStatus(approval.status()));
    reply.Json(status, ApprovalJson(engine, caller, *approval));
  };
}

// Newest first across statuses, a page at a time; ?assignee=me: the pending approvals the
// caller may decide; ?q=: those that mention the text (ApprovalQuery::text).
void ListApprovals(Call& call) {
  engine::ApprovalQuery query;
  if (std::optional<std::string> text = call.Query("status")) {
    query.status = engine::ParseApprovalStatus(*text);
    if (!query.status) {
      return call.reply.Error(
          ApiError::InvalidArgument("status must be pending, approved, rejected or cancelled"));
    }
  }
  query.workflow = call.Query("workflow");
  if (std::optional<std::string> assignee = call.Query("assignee")) {
    if (*assignee != "me") {
      return call.reply.Error(ApiError::InvalidArgument("assignee must be \"me\""));
    }
    query.decidable_by_viewer = true;
  }
  if (std::optional<std::string> text = call.Query("q")) {
    if (text->size() > kMaxSearchBytes) {
      return call.reply.Error(ApiError::InvalidArgument(
          "q must be at most " + std::to_string(kMaxSearchBytes) + " bytes"));
    }
    query.text = std::move(*text);
  }
  if (!PageOf(call, &query.limit, &query.after)) return;
  auto page = call.engine.ListApprovals(call.caller, query);
  if (!page.ok()) return call.reply.Error(ErrorFromStatus(page.status()));
  json::array approvals;
  approvals.reserve(page->approvals.size());
  for (const engine::ApprovalView& approval : page->approvals) {
    approvals.push_back(ApprovalJson(call.engine, call.caller, approval));
  }
  call.reply.Json(http::status::ok, PageJson("approvals", std::move(approvals), page->next));
}

// {"count": N}: how many pending approvals the caller may decide (a tab title's number), from
// the engine's tally, so it costs the same with 100,000 pending as with ten. Only
// ?assignee=me (required) and ?status=pending (optional) are taken: other counts are not kept.
void CountApprovals(Call& call) {
  for (const auto& param : call.url.params()) {
    bool known = (param.key == "assignee" && param.value == "me") ||
                 (param.key == "status" && param.value == "pending");
    if (!known) {
      return call.reply.Error(ApiError::InvalidArgument(
          "the count takes only assignee=me and status=pending: it counts the pending "
          "approvals the caller may decide"));
    }
  }
  if (!call.Query("assignee")) {
    return call.reply.Error(ApiError::InvalidArgument("the count needs assignee=me"));
  }
  call.reply.Json(http::status::ok,
                  json::object{{"count", call.engine.CountDecidable(call.caller)}});
}

void GetApproval(Call& call) {
  auto approval = call.engine.GetApproval(call.caller, call.params[0]);
  if (!approval.ok()) return call.reply.Error(ErrorFromStatus(approval.status()));
  call.reply.Json(http::status::ok, ApprovalJson(call.engine, call.caller, *approval));
}

void Decide(Call& call) {
  std::optional<json::object> body = call.Body();
  if (!body) return;
  std::optional<engine::DecideCommand> command =
      call.Command(ParseDecide(call.params[0], *body, call.Actor()));
  if (!command) return;
  call.engine.Decide(std::move(*command), ReplyWithApproval(call, http::status::ok));
}

void AddComment(Call& call) {
  std::optional<json::object> body = call.Body();
  if (!body) return;
  std::optional<engine::CommentCommand> command =
      call.Command(ParseComment(call.params[0], *body, call.Actor()));
  if (!command) return;
  call.engine.AddComment(std::move(*command), ReplyWithApproval(call, http::status::created));
}

// The audit page the caller may see (GET /v1/audit; audit_route.h reads the query).
void ListAudit(Call& call) {
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  std::optional<engine::AuditQuery> query =
      call.Command(ParseAuditQuery(call.url.params(), now_ms));
  if (!query) return;
  Result<engine::AuditPage> page = call.engine.ListAudit(*query, call.caller);
  if (!page.ok()) return call.reply.Error(ErrorFromStatus(page.status()));
  call.reply.Json(http::status::ok, ToJson(*page));
}

struct Route {
  http::verb method;
  std::string_view pattern;  // path segments joined by '/'; "*" matches one segment
  void (*handle)(Call&);
  bool open = false;  // true: no token needed
};

constexpr Route kRoutes[] = {
    {http::verb::get, "healthz", Healthz, true},
    {http::verb::get, "v1/workflows", ListWorkflows},
    {http::verb::get, "v1/workflows/*", GetWorkflow},
    {http::verb::put, "v1/workflows/*", PutWorkflow},
    {http::verb::post, "v1/workflows/*/runs", StartRun},
    {http::verb::get, "v1/workflows/*/versions", ListWorkflowVersions},
    {http::verb::get, "v1/workflows/*/diff", DiffWorkflowVersions},
    {http::verb::post, "v1/workflows/*/disable", DisableWorkflow},
    {http::verb::post, "v1/workflows/*/enable", EnableWorkflow},
    {http::verb::get, "v1/runs", ListRuns},
    {http::verb::get, "v1/runs/*", GetRun},
    {http::verb::get, "v1/runs/*/events", GetEvents},
    {http::verb::post, "v1/runs/*/cancel", CancelRun},
    {http::verb::post, "v1/runs/*/retry", RetryRun},
    {http::verb::get, "v1/approvals", ListApprovals},
    {http::verb::get, "v1/approvals/count", CountApprovals},  // before v1/approvals/*
    {http::verb::get, "v1/approvals/*", GetApproval},
    {http::verb::post, "v1/approvals/*/decision", Decide},
    {http::verb::post, "v1/approvals/*/comments", AddComment},
    {http::verb::post, "v1/gates", OpenGate},
    {http::verb::get, "v1/gates/*", GetGate},
    {http::verb::get, "v1/me", GetMe},
    {http::verb::get, "v1/users", ListUsers},
    {http::verb::post, "v1/users", AddUser},
    {http::verb::get, "v1/users/*", GetUser},
    {http::verb::patch, "v1/users/*", SetGroups},
    {http::verb::delete_, "v1/users/*", RemoveUser},
    {http::verb::get, "v1/users/*/tokens", ListTokens},
    {http::verb::post, "v1/users/*/tokens", IssueToken},
    {http::verb::delete_, "v1/tokens/*", RevokeToken},
    {http::verb::get, "v1/groups", ListGroups},
    {http::verb::get, "v1/audit", ListAudit},
    // The hook's secret is its credential (hook_route.h).
    {http::verb::post, "v1/hooks/*/*", StartRunFromHook, true},
};

// True when `segments` fit `pattern`; the "*" segments are appended to `params`.
bool Match(std::string_view pattern, const std::vector<std::string>& segments,
           std::vector<std::string>* params) {
  size_t i = 0;
  for (size_t start = 0; start <= pattern.size(); ++i) {
    size_t end = std::min(pattern.find('/', start), pattern.size());
    std::string_view part = pattern.substr(start, end - start);
    if (i >= segments.size()) return false;
    if (part == "*") {
      if (segments[i].empty()) return false;
      params->push_back(segments[i]);
    } else if (part != segments[i]) {
      return false;
    }
    start = end + 1;
  }
  return i == segments.size();
}

}  // namespace

RequestHandler::RequestHandler(engine::Engine& engine, engine::Directory& directory,
                               const Authenticator& auth)
    : engine_(engine), directory_(directory), auth_(auth) {}

void RequestHandler::Handle(const Request& request, const boost::asio::ip::address& client,
                            Respond respond) const {
  Reply reply(request, NewRequestId(), std::move(respond));
  urls::result<urls::url_view> url = urls::parse_origin_form(request.target());
  if (!url) return reply.Error(ApiError::InvalidArgument("malformed request target"));
  std::vector<std::string> segments(url->segments().begin(), url->segments().end());

  const Route* path_match = nullptr;
  const Route* route = nullptr;
  std::vector<std::string> params;
  for (const Route& candidate : kRoutes) {
    std::vector<std::string> candidate_params;
    if (!Match(candidate.pattern, segments, &candidate_params)) continue;
    path_match = &candidate;
    if (candidate.method == request.method()) {
      route = &candidate;
      params = std::move(candidate_params);
      break;
    }
  }

  // Authenticate before saying anything about which paths exist.
  engine::Principal caller;
  if (path_match == nullptr || !path_match->open) {
    AuthResult auth = auth_.CheckAuthorization(request[http::field::authorization], client);
    if (!auth.principal) return reply.Error(auth.Error(), auth.RetryAfterHeader());
    caller = std::move(*auth.principal);
  }
  if (path_match == nullptr) return reply.Error(ApiError::NotFound("no such path"));
  if (route == nullptr) return reply.Error(ApiError::MethodNotAllowed());
  // HttpSession's parser already refuses larger bodies before they are read; this keeps the
  // limit part of the handler's own contract for callers without that parser (the unit tests).
  if (request.body().size() > kMaxBodyBytes) {
    return reply.Error(ApiError::BodyTooLarge(request.body().size(), kMaxBodyBytes));
  }

  Call call{engine_, directory_, request, *url, std::move(params), std::move(caller),
            std::move(reply)};
  route->handle(call);
}

bool IsStreamTarget(std::string_view target) {
  urls::result<urls::url_view> url = urls::parse_origin_form(target);
  return url && url->encoded_path() == "/v1/stream";
}

}  // namespace assent::api
