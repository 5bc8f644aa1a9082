#include "api/router.h"

#include <gtest/gtest.h>

#include <chrono>
#include <utility>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "tests/api/fake_engine.h"
#include "tests/api/test_directory.h"

namespace assent::api {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;
using testing::FakeEngine;

constexpr char kToken[] = "secret-token";

// A finished run, as the engine answers a start or a long poll that waited for it.
engine::RunView CompletedRun() {
  engine::RunView run = testing::SampleRun("run-1");
  run.status = engine::RunStatus::kCompleted;
  run.pending_approvals.clear();
  run.output = json::object{{"paid", true}};
  return run;
}

class RequestHandlerTest : public ::testing::Test {
 protected:
  // Sends one request through the handler and returns the response it answered with.
  Response Send(http::verb method, std::string target, std::string body = "",
                std::string authorization = std::string("Bearer ") + kToken,
                std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request request(method, target, 11);
    if (!authorization.empty()) request.set(http::field::authorization, authorization);
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    request.prepare_payload();
    std::optional<Response> response;
    int calls = 0;
    handler_.Handle(request, boost::asio::ip::address_v4::loopback(), [&](Response answer) {
      ++calls;
      response = std::move(answer);
    });
    EXPECT_EQ(calls, 1) << "respond must run exactly once for " << target;
    return response.value_or(Response{});
  }

  static json::value Body(const Response& response) {
    boost::system::error_code ec;
    json::value body = json::parse(response.body(), ec);
    EXPECT_FALSE(ec) << "not JSON: " << response.body();
    EXPECT_EQ(response[http::field::content_type], "application/json");
    return body;
  }

  static std::string ErrorCode(const Response& response) {
    json::value body = Body(response);
    const json::value* code = body.is_object() && body.get_object().contains("error")
                                  ? body.at("error").as_object().if_contains("code")
                                  : nullptr;
    return code != nullptr && code->is_string() ? std::string(code->get_string()) : "<none>";
  }

  FakeEngine engine_;
  testing::TestDirectory directory_;
  Authenticator auth_{kToken, *directory_};
  RequestHandler handler_{engine_, *directory_, auth_};
};

TEST_F(RequestHandlerTest, HealthzNeedsNoToken) {
  Response response = Send(http::verb::get, "/healthz", "", "");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(json::serialize(Body(response)), R"({"status":"ok"})");
}

TEST_F(RequestHandlerTest, HealthzIs503OnceStorageHasFailed) {
  engine_.health = Status::IOError("disk full");
  Response response = Send(http::verb::get, "/healthz", "", "");
  EXPECT_EQ(response.result(), http::status::service_unavailable);
  json::value body = Body(response);
  EXPECT_EQ(body.at("status"), "unavailable");
  EXPECT_NE(std::string(body.at("error").as_string()).find("disk full"), std::string::npos)
      << json::serialize(body);
}

TEST_F(RequestHandlerTest, TooDeeplyNestedBodyIs400SayingSo) {
  std::string nested = std::string(40, '[') + std::string(40, ']');
  Response response =
      Send(http::verb::post, "/v1/workflows/pay/runs", R"({"input":{"x":)" + nested + "}}");
  EXPECT_EQ(response.result(), http::status::bad_request);
  EXPECT_EQ(ErrorCode(response), "invalid_json");
  EXPECT_NE(std::string(Body(response).at("error").at("message").as_string())
                .find("nested too deeply"),
            std::string::npos)
      << response.body();
  EXPECT_TRUE(engine_.recorded().starts.empty());
}

TEST_F(RequestHandlerTest, MissingOrWrongTokenIs401) {
  EXPECT_EQ(Send(http::verb::get, "/v1/runs", "", "").result(), http::status::unauthorized);
  Response wrong = Send(http::verb::get, "/v1/runs", "", "Bearer nope");
  EXPECT_EQ(wrong.result(), http::status::unauthorized);
  EXPECT_EQ(ErrorCode(wrong), "unauthorized");
  EXPECT_EQ(Send(http::verb::get, "/v1/runs", "", std::string("Basic ") + kToken).result(),
            http::status::unauthorized);
  // Unknown paths do not reveal themselves to strangers either.
  EXPECT_EQ(Send(http::verb::get, "/v1/nope", "", "").result(), http::status::unauthorized);
  EXPECT_TRUE(engine_.recorded().run_lists.empty());
}

TEST_F(RequestHandlerTest, BearerSchemeIsCaseInsensitive) {
  EXPECT_EQ(Send(http::verb::get, "/v1/runs", "", std::string("bearer ") + kToken).result(),
            http::status::ok);
}

TEST_F(RequestHandlerTest, UnknownRouteIs404) {
  for (const char* target : {"/v1/nope", "/", "/v1/runs/r1/nope", "/v1/workflows/"}) {
    Response response = Send(http::verb::get, target);
    EXPECT_EQ(response.result(), http::status::not_found) << target;
    EXPECT_EQ(ErrorCode(response), "not_found") << target;
  }
}

TEST_F(RequestHandlerTest, WrongMethodIs405) {
  Response response = Send(http::verb::delete_, "/v1/runs/r1");
  EXPECT_EQ(response.result(), http::status::method_not_allowed);
  EXPECT_EQ(ErrorCode(response), "method_not_allowed");
  EXPECT_EQ(Send(http::verb::post, "/healthz", "", "").result(), http::status::method_not_allowed);
}

TEST_F(RequestHandlerTest, InvalidJsonIs400) {
  Response response = Send(http::verb::post, "/v1/workflows/pay/runs", "{\"input\": ");
  EXPECT_EQ(response.result(), http::status::bad_request);
  EXPECT_EQ(ErrorCode(response), "invalid_json");
  EXPECT_EQ(ErrorCode(Send(http::verb::post, "/v1/workflows/pay/runs", "[1]")), "invalid_json");
  EXPECT_TRUE(engine_.recorded().starts.empty());
}

TEST_F(RequestHandlerTest, NonObjectInputIs400) {
  Response response = Send(http::verb::post, "/v1/workflows/pay/runs", R"({"input": [1, 2]})");
  EXPECT_EQ(response.result(), http::status::bad_request);
  EXPECT_EQ(ErrorCode(response), "invalid_argument");
  EXPECT_TRUE(engine_.recorded().starts.empty());
}

TEST_F(RequestHandlerTest, StartRunPassesInputAndIdempotencyKey) {
  Response response = Send(http::verb::post, "/v1/workflows/pay/runs", R"({"input": {"a": 1}})",
                           std::string("Bearer ") + kToken, {{"Idempotency-Key", "k-7"}});
  EXPECT_EQ(response.result(), http::status::created);
  EXPECT_EQ(json::serialize(Body(response)), R"({"run_id":"run-1"})");
  FakeEngine::Recorded recorded = engine_.recorded();
  ASSERT_EQ(recorded.starts.size(), 1u);
  const engine::StartRunCommand& command = recorded.starts[0];
  EXPECT_EQ(command.workflow, "pay");
  EXPECT_EQ(json::serialize(command.input), R"({"a":1})");
  EXPECT_EQ(command.idempotency_key, "k-7");
  EXPECT_EQ(command.wait.count(), 0) << "no ?wait=: answer once the start is durable";
}

TEST_F(RequestHandlerTest, StartRunWithoutBodyUsesEmptyInput) {
  EXPECT_EQ(Send(http::verb::post, "/v1/workflows/pay/runs").result(), http::status::created);
  ASSERT_EQ(engine_.recorded().starts.size(), 1u);
  EXPECT_TRUE(engine_.recorded().starts[0].input.empty());
}

TEST_F(RequestHandlerTest, StartRunForExistingKeyIs200) {
  engine_.start_result = engine::StartRunResult{"run-9", false, std::nullopt};
  Response response = Send(http::verb::post, "/v1/workflows/pay/runs", "{}");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(json::serialize(Body(response)), R"({"run_id":"run-9"})");
}

TEST_F(RequestHandlerTest, AClientsIdempotencyKeyMayNotLookLikeAHooksDeliveryId) {
  Response response = Send(http::verb::post, "/v1/workflows/pay/runs", "{}",
                           std::string("Bearer ") + kToken, {{"Idempotency-Key", "hook:gh:1"}});
  EXPECT_EQ(response.result(), http::status::bad_request);
  EXPECT_NE(response.body().find("may not start with \\\"hook:\\\""), std::string::npos)
      << response.body();
  EXPECT_TRUE(engine_.recorded().starts.empty());
}

// POST /v1/hooks/{workflow}/{hook}: open (the hook's secret is its credential, which the
// engine checks), the raw body and every header (names in lower case) handed over.
TEST_F(RequestHandlerTest, AHookStartsARunWithoutATokenAndHandsOverBodyAndHeaders) {
  const std::string body = R"({"ref": "refs/heads/main", "n": 1})";
  Response response = Send(http::verb::post, "/v1/hooks/deploy/github-push", body, "",
                           {{"X-Hub-Signature-256", "sha256=abc"}, {"X-GitHub-Delivery", "d-1"}});
  EXPECT_EQ(response.result(), http::status::created) << response.body();
  EXPECT_EQ(json::serialize(Body(response)), R"({"run_id":"run-1"})");
  FakeEngine::Recorded recorded = engine_.recorded();
  EXPECT_TRUE(recorded.starts.empty());
  ASSERT_EQ(recorded.hook_starts.size(), 1u);
  const engine::HookStartCommand& command = recorded.hook_starts[0];
  EXPECT_EQ(command.workflow, "deploy");
  EXPECT_EQ(command.hook_id, "github-push");
  EXPECT_EQ(command.body, body) << "the raw bytes: what the signature covers";
  EXPECT_EQ(json::serialize(command.input), R"({"ref":"refs/heads/main","n":1})");
  EXPECT_EQ(command.request_id, std::string(response["X-Request-Id"]));
  auto header = [&](const std::string& name) -> std::string {
    for (const auto& [key, value] : command.headers) {
      if (key == name) return value;
    }
    return "<none>";
  };
  EXPECT_EQ(header("x-hub-signature-256"), "sha256=abc");
  EXPECT_EQ(header("x-github-delivery"), "d-1");
}

TEST_F(RequestHandlerTest, AHookAnswers200ForARepeatedDeliveryAnd401ForAWrongSecret) {
  engine_.start_result = engine::StartRunResult{"run-9", false, std::nullopt};
  Response repeated = Send(http::verb::post, "/v1/hooks/deploy/gh", "{}", "");
  EXPECT_EQ(repeated.result(), http::status::ok);
  EXPECT_EQ(json::serialize(Body(repeated)), R"({"run_id":"run-9"})");

  engine_.start_result = Status::PermissionDenied("that is not hook 'gh''s secret");
  Response refused = Send(http::verb::post, "/v1/hooks/deploy/gh", "{}", "Bearer wrong");
  EXPECT_EQ(refused.result(), http::status::unauthorized);
  EXPECT_EQ(ErrorCode(refused), "unauthorized");
  EXPECT_EQ(Body(refused).at("error").at("message"), "that is not hook 'gh''s secret");
  engine_.start_result = Status::NotFound("workflow 'deploy' has no hook 'gh'");
  EXPECT_EQ(Send(http::verb::post, "/v1/hooks/deploy/gh", "{}", "").result(),
            http::status::not_found);
  engine_.start_result = Status::FailedPrecondition("workflow 'deploy' is disabled");
  EXPECT_EQ(Send(http::verb::post, "/v1/hooks/deploy/gh", "{}", "").result(),
            http::status::unprocessable_entity);
}

TEST_F(RequestHandlerTest, AHooksBodyMustBeAJsonObject) {
  for (const std::string body : {"", "  ", "[1]", "\"text\"", "{\"a\":", "null"}) {
    Response response = Send(http::verb::post, "/v1/hooks/deploy/gh", body, "");
    EXPECT_EQ(response.result(), http::status::bad_request) << body;
    EXPECT_EQ(ErrorCode(response), "invalid_json") << body;
  }
  EXPECT_TRUE(engine_.recorded().hook_starts.empty());
  EXPECT_EQ(Send(http::verb::get, "/v1/hooks/deploy/gh", "", "").result(),
            http::status::method_not_allowed);
  EXPECT_EQ(Send(http::verb::post, "/v1/hooks/deploy", "{}", "").result(),
            http::status::unauthorized) << "not a hook's path: a token is needed";
}

TEST_F(RequestHandlerTest, StartRunWithWaitAnswersWithTheRunAsGetWould) {
  engine_.start_result = engine::StartRunResult{"run-1", true, CompletedRun()};
  Response response =
      Send(http::verb::post, "/v1/workflows/pay/runs?wait=30s", R"({"input": {"a": 1}})");
  EXPECT_EQ(response.result(), http::status::created);
  json::value run = Body(response);
  EXPECT_EQ(run.at("run_id"), "run-1");
  EXPECT_EQ(run.at("status"), "completed");
  EXPECT_EQ(run.at("output"), json::parse(R"({"paid":true})"));
  engine_.run_result = CompletedRun();
  EXPECT_EQ(run, Body(Send(http::verb::get, "/v1/runs/run-1")));
  ASSERT_EQ(engine_.recorded().starts.size(), 1u);
  EXPECT_EQ(engine_.recorded().starts[0].wait, std::chrono::seconds(30));
}

TEST_F(RequestHandlerTest, StartRunWithWaitForExistingKeyIs200WithTheRun) {
  engine_.start_result = engine::StartRunResult{"run-1", false, CompletedRun()};
  Response response = Send(http::verb::post, "/v1/workflows/pay/runs?wait=500ms", "{}");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(Body(response).at("status"), "completed");
  ASSERT_EQ(engine_.recorded().starts.size(), 1u);
  EXPECT_EQ(engine_.recorded().starts[0].wait, std::chrono::milliseconds(500));
}

TEST_F(RequestHandlerTest, BadWaitIs400AndReachesNoEngine) {
  for (std::string wait : {"abc", "0s", "0ms", "61s", "60001ms", "5m", "-1s", "10", "1.5s", "",
                           "30s5", "99999999999999999999s"}) {
    for (auto [method, target] : {std::pair{http::verb::post, "/v1/workflows/pay/runs"},
                                  std::pair{http::verb::get, "/v1/runs/run-1"}}) {
      Response response = Send(method, std::string(target) + "?wait=" + wait, "{}");
      EXPECT_EQ(response.result(), http::status::bad_request) << target << "?wait=" << wait;
      EXPECT_EQ(ErrorCode(response), "invalid_argument") << target << "?wait=" << wait;
    }
  }
  FakeEngine::Recorded recorded = engine_.recorded();
  EXPECT_TRUE(recorded.starts.empty());
  EXPECT_TRUE(recorded.awaits.empty());
  EXPECT_TRUE(recorded.run_reads.empty());
}

TEST_F(RequestHandlerTest, GetRunWithWaitLongPolls) {
  engine_.run_result = CompletedRun();
  Response response = Send(http::verb::get, "/v1/runs/x?wait=2s");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(Body(response).at("run_id"), "run-1");
  EXPECT_EQ(Body(response).at("status"), "completed");
  EXPECT_EQ(Send(http::verb::get, "/v1/runs/x?wait=60s").result(), http::status::ok);

  FakeEngine::Recorded recorded = engine_.recorded();
  ASSERT_EQ(recorded.awaits.size(), 2u);
  EXPECT_EQ(recorded.awaits[0].first, "x");
  EXPECT_EQ(recorded.awaits[0].second, std::chrono::seconds(2));
  EXPECT_EQ(recorded.awaits[1].second, std::chrono::seconds(60));  // the longest allowed
  EXPECT_TRUE(recorded.run_reads.empty());
}

TEST_F(RequestHandlerTest, GetRunWithoutWaitReadsAtOnce) {
  EXPECT_EQ(Send(http::verb::get, "/v1/runs/x").result(), http::status::ok);
  FakeEngine::Recorded recorded = engine_.recorded();
  EXPECT_EQ(recorded.run_reads, std::vector<std::string>{"x"});
  EXPECT_TRUE(recorded.awaits.empty());
}

TEST_F(RequestHandlerTest, LongPollOfAnUnknownRunIs404) {
  engine_.run_result = Status::NotFound("run x not found");
  Response response = Send(http::verb::get, "/v1/runs/x?wait=1s");
  EXPECT_EQ(response.result(), http::status::not_found);
  EXPECT_EQ(ErrorCode(response), "not_found");
}

TEST_F(RequestHandlerTest, EngineCodesMapToHttp) {
  struct Case {
    Status status;
    http::status http;
    std::string code;
  };
  for (const Case& c : {Case{Status::NotFound("run r9"), http::status::not_found, "not_found"},
                        Case{Status::InvalidArgument("bad"), http::status::bad_request,
                             "invalid_argument"},
                        Case{Status::Conflict("decided"), http::status::conflict, "conflict"},
                        Case{Status::FailedPrecondition("key reused"),
                             http::status::unprocessable_entity, "failed_precondition"},
                        Case{Status::Unavailable("stopping"), http::status::service_unavailable,
                             "unavailable"},
                        Case{Status::Corruption("crc"), http::status::internal_server_error,
                             "internal"},
                        Case{Status::IOError("disk"), http::status::internal_server_error,
                             "internal"}}) {
    engine_.run_result = c.status;
    Response response = Send(http::verb::get, "/v1/runs/r9");
    EXPECT_EQ(response.result(), c.http) << c.status.ToString();
    EXPECT_EQ(ErrorCode(response), c.code) << c.status.ToString();
  }
}

TEST_F(RequestHandlerTest, CommandConflictIs409) {
  engine_.approval_result = Status::Conflict("already decided");
  Response response =
      Send(http::verb::post, "/v1/approvals/ap-1/decision", R"({"decision": "approve"})");
  EXPECT_EQ(response.result(), http::status::conflict);
  EXPECT_EQ(ErrorCode(response), "conflict");
  EXPECT_EQ(Body(response).at("error").at("message"), "already decided");
}

TEST_F(RequestHandlerTest, BodyOverLimitIs413) {
  std::string body = "{\"input\": {\"x\": \"" + std::string(kMaxBodyBytes, 'a') + "\"}}";
  Response response = Send(http::verb::post, "/v1/workflows/pay/runs", body);
  EXPECT_EQ(response.result(), http::status::payload_too_large);
  EXPECT_EQ(ErrorCode(response), "body_too_large");
  EXPECT_TRUE(engine_.recorded().starts.empty());
}

TEST_F(RequestHandlerTest, ListRunsValidatesQuery) {
  for (const char* target :
       {"/v1/runs?status=bogus", "/v1/runs?limit=0", "/v1/runs?limit=1001", "/v1/runs?limit=abc",
        "/v1/runs?limit=5x", "/v1/runs?limit=-1", "/v1/runs?older_than=soon",
        "/v1/runs?newer_than=7w", "/v1/runs?older_than=0h",
        "/v1/runs?older_than=2026-13-01T00:00:00Z",
        "/v1/runs?after=%21%21", "/v1/runs?after=", "/v1/runs?after=cnVu="}) {
    Response response = Send(http::verb::get, target);
    EXPECT_EQ(response.result(), http::status::bad_request) << target;
    EXPECT_EQ(ErrorCode(response), "invalid_argument") << target;
  }
  EXPECT_TRUE(engine_.recorded().run_lists.empty());

  engine_.runs_result = std::vector<engine::RunView>{testing::SampleRun()};
  Response response = Send(http::verb::get, "/v1/runs?status=waiting&limit=1000");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(Body(response).at("runs").as_array().size(), 1u);
  EXPECT_FALSE(Body(response).as_object().contains("next")) << "the last page has no next";
  Send(http::verb::get, "/v1/runs");
  auto lists = engine_.recorded().run_lists;
  ASSERT_EQ(lists.size(), 2u);
  EXPECT_EQ(lists[0].status, engine::RunStatus::kWaiting);
  EXPECT_EQ(lists[0].limit, 1000u);
  EXPECT_EQ(lists[1].status, std::nullopt) << "every status, newest first";
  EXPECT_EQ(lists[1].limit, 100u);
}

// The cursor is opaque to clients (base64url of where the engine's page ended) and comes back
// to the engine as it was; filters and age bounds reach the engine as they were asked.
TEST_F(RequestHandlerTest, ListRunsPagesByCursorWithFilters) {
  engine_.next_page = "run_00000000a/b+";
  Response first = Send(http::verb::get, "/v1/runs?workflow=pay&limit=2&older_than=24h");
  ASSERT_EQ(first.result(), http::status::ok);
  std::string next(Body(first).at("next").as_string());
  constexpr std::string_view kBase64Url =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  EXPECT_EQ(next.find_first_not_of(kBase64Url), std::string::npos) << next;
  engine_.next_page.clear();
  Response second = Send(http::verb::get, "/v1/runs?after=" + next +
                                              "&newer_than=2026-11-30T04:00:00.5%2B01:00");
  ASSERT_EQ(second.result(), http::status::ok);
  EXPECT_FALSE(Body(second).as_object().contains("next"));

  auto lists = engine_.recorded().run_lists;
  ASSERT_EQ(lists.size(), 2u);
  EXPECT_EQ(lists[0].workflow, "pay");
  EXPECT_EQ(lists[0].limit, 2u);
  EXPECT_EQ(lists[0].after, "");
  int64_t day_ago = std::chrono::duration_cast<std::chrono::milliseconds>(
                        (std::chrono::system_clock::now() - std::chrono::hours(24))
                            .time_since_epoch())
                        .count();
  ASSERT_TRUE(lists[0].started_before_ms.has_value());
  EXPECT_NEAR(static_cast<double>(*lists[0].started_before_ms), static_cast<double>(day_ago),
              60'000.0);
  EXPECT_EQ(lists[1].after, "run_00000000a/b+");
  // 2026-11-30T03:00:00.500Z
  EXPECT_EQ(lists[1].started_since_ms, int64_t{1'796'007'600'500});
}

TEST_F(RequestHandlerTest, ListApprovalsCoversEveryStatusUnlessAsked) {
  EXPECT_EQ(Send(http::verb::get, "/v1/approvals").result(), http::status::ok);
  EXPECT_EQ(Send(http::verb::get, "/v1/approvals?status=rejected").result(), http::status::ok);
  EXPECT_EQ(Send(http::verb::get, "/v1/approvals?status=maybe").result(),
            http::status::bad_request);
  EXPECT_EQ(Send(http::verb::get, "/v1/approvals?assignee=bob").result(),
            http::status::bad_request);
  EXPECT_EQ(Send(http::verb::get, "/v1/approvals?assignee=me&workflow=pay").result(),
            http::status::ok);
  auto lists = engine_.recorded().approval_lists;
  ASSERT_EQ(lists.size(), 3u);
  EXPECT_EQ(lists[0].status, std::nullopt);
  EXPECT_FALSE(lists[0].decidable_by_viewer);
  EXPECT_EQ(lists[1].status, engine::ApprovalStatus::kRejected);
  EXPECT_TRUE(lists[2].decidable_by_viewer);
  EXPECT_EQ(lists[2].workflow, "pay");
}

// ?q= reaches the engine as the search text; too long a text is 400 naming the bound.
TEST_F(RequestHandlerTest, ListApprovalsPassesTheSearchText) {
  EXPECT_EQ(Send(http::verb::get, "/v1/approvals?q=Acme%20Corp&status=pending").result(),
            http::status::ok);
  Response too_long = Send(http::verb::get, "/v1/approvals?q=" + std::string(257, 'x'));
  EXPECT_EQ(too_long.result(), http::status::bad_request);
  EXPECT_EQ(Body(too_long).at("error").at("message"), "q must be at most 256 bytes");
  EXPECT_EQ(Send(http::verb::get, "/v1/approvals?q=" + std::string(256, 'x')).result(),
            http::status::ok);
  auto lists = engine_.recorded().approval_lists;
  ASSERT_EQ(lists.size(), 2u);
  EXPECT_EQ(lists[0].text, "Acme Corp");
  EXPECT_EQ(lists[0].status, engine::ApprovalStatus::kPending);
}

// Every approval the caller reads carries who may decide it and whether the caller may now:
// one, a page of them, and the one a decision or a comment answers with.
TEST_F(RequestHandlerTest, ApprovalsCarryApproversAndCanDecide) {
  engine_.deciders_result = engine::DecidersView{{"group:finance", "dave"}, true};
  engine_.approvals_result = std::vector<engine::ApprovalView>{testing::SampleApproval()};
  json::value one = Body(Send(http::verb::get, "/v1/approvals/ap-1"));
  json::value page = Body(Send(http::verb::get, "/v1/approvals?assignee=me"));
  json::value decided = Body(Send(http::verb::post, "/v1/approvals/ap-1/decision",
                                  R"({"decision": "approve"})"));
  json::value commented =
      Body(Send(http::verb::post, "/v1/approvals/ap-1/comments", R"({"text": "ok"})"));
  for (const json::value* approval :
       {&one, &page.at("approvals").at(0), &decided, &commented}) {
    EXPECT_EQ(json::serialize(approval->at("approvers")), R"(["group:finance","dave"])");
    EXPECT_EQ(approval->at("can_decide"), true);
    EXPECT_EQ(approval->at("id"), "ap-1");
  }
}

// GET /v1/approvals/count?assignee=me: the engine's tally for the caller, nothing else.
TEST_F(RequestHandlerTest, CountAnswersTheCallersDecidableCount) {
  engine_.decidable_count = 100'000;
  Response count = Send(http::verb::get, "/v1/approvals/count?status=pending&assignee=me");
  EXPECT_EQ(count.result(), http::status::ok);
  EXPECT_EQ(json::serialize(Body(count)), R"({"count":100000})");
  EXPECT_EQ(engine_.recorded().viewers.back().id, Authenticator::kAdminIdentity);
  for (const char* target :
       {"/v1/approvals/count", "/v1/approvals/count?status=pending",
        "/v1/approvals/count?assignee=me&status=approved", "/v1/approvals/count?assignee=bob",
        "/v1/approvals/count?assignee=me&workflow=pay"}) {
    Response refused = Send(http::verb::get, target);
    EXPECT_EQ(refused.result(), http::status::bad_request) << target;
    EXPECT_EQ(ErrorCode(refused), "invalid_argument") << target;
  }
  EXPECT_EQ(Send(http::verb::post, "/v1/approvals/count", "{}").result(),
            http::status::method_not_allowed);
  EXPECT_EQ(Send(http::verb::get, "/v1/approvals/count?assignee=me", "", "").result(),
            http::status::unauthorized);
}

// The engine's access answers: 403 `forbidden` for what the caller may see but not do, 404 for
// what they may not see (as for an unknown id), on reads and commands alike.
TEST_F(RequestHandlerTest, AccessRefusalsMapTo403And404) {
  engine_.approval_result = Status::PermissionDenied("'bob' may not decide approval ap-1");
  Response denied = Send(http::verb::post, "/v1/approvals/ap-1/decision",
                         R"({"decision": "approve"})");
  EXPECT_EQ(denied.result(), http::status::forbidden);
  EXPECT_EQ(ErrorCode(denied), "forbidden");
  EXPECT_EQ(Body(denied).at("error").at("message"), "'bob' may not decide approval ap-1");

  engine_.run_result = Status::NotFound("run run-1 not found");
  Response hidden = Send(http::verb::post, "/v1/runs/run-1/cancel", "{}");
  EXPECT_EQ(hidden.result(), http::status::not_found);
  EXPECT_EQ(ErrorCode(hidden), "not_found");
  EXPECT_EQ(Send(http::verb::get, "/v1/runs/run-1").result(), http::status::not_found);

  engine_.workflow_result = Status::PermissionDenied("only admins create workflows");
  Response put = Send(http::verb::put, "/v1/workflows/pay", R"({"steps": []})");
  EXPECT_EQ(put.result(), http::status::forbidden);
}

// Every query answers for the authenticated caller, never for a name the client sent.
TEST_F(RequestHandlerTest, QueriesPassTheCaller) {
  for (const char* target : {"/v1/workflows", "/v1/workflows/pay", "/v1/runs", "/v1/runs/r",
                             "/v1/runs/r?wait=1s", "/v1/runs/r/events", "/v1/approvals",
                             "/v1/approvals/r.1"}) {
    EXPECT_EQ(Send(http::verb::get, target).result(), http::status::ok) << target;
  }
  Send(http::verb::put, "/v1/workflows/pay", R"({"steps": []})");
  auto viewers = engine_.recorded().viewers;
  ASSERT_EQ(viewers.size(), 9u);
  for (const engine::Principal& viewer : viewers) {
    EXPECT_EQ(viewer.id, Authenticator::kAdminIdentity);
    EXPECT_TRUE(viewer.admin);
  }
}

TEST_F(RequestHandlerTest, DecideRecordsAdminAsReviewer) {
  Response response = Send(http::verb::post, "/v1/approvals/ap-1/decision",
                           R"({"decision": "approve", "comment": "ok"})");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(Body(response).at("id"), "ap-1");
  FakeEngine::Recorded recorded = engine_.recorded();
  ASSERT_EQ(recorded.decisions.size(), 1u);
  const engine::DecideCommand& command = recorded.decisions[0];
  EXPECT_EQ(command.approval_id, "ap-1");
  EXPECT_EQ(command.decision, engine::Decision::kApprove);
  // The reviewer is the authenticated caller; the request id is the one the answer carries.
  EXPECT_EQ(command.actor.principal.id, "admin");
  EXPECT_TRUE(command.actor.principal.admin);
  EXPECT_EQ(command.actor.channel, engine::Channel::kRest);
  EXPECT_EQ(command.actor.request_id, response["X-Request-Id"]);
  EXPECT_EQ(command.actor.request_id.size(), 16u);
  EXPECT_EQ(command.comment, "ok");
}

TEST_F(RequestHandlerTest, DecideValidatesBody) {
  for (const char* body : {R"({"decision": "reject"})", R"({"decision": "reject", "comment": ""})",
                           R"({"decision": "maybe"})", R"({})", R"({"decision": 1})",
                           R"({"decision": "approve", "comment": 5})"}) {
    Response response = Send(http::verb::post, "/v1/approvals/ap-1/decision", body);
    EXPECT_EQ(response.result(), http::status::bad_request) << body;
    EXPECT_EQ(ErrorCode(response), "invalid_argument") << body;
  }
  EXPECT_TRUE(engine_.recorded().decisions.empty());
}

TEST_F(RequestHandlerTest, CommentNeedsTextAndAnswers201) {
  EXPECT_EQ(Send(http::verb::post, "/v1/approvals/ap-1/comments", R"({"text": ""})").result(),
            http::status::bad_request);
  Response response =
      Send(http::verb::post, "/v1/approvals/ap-1/comments", R"({"text": "why 100?"})");
  EXPECT_EQ(response.result(), http::status::created);
  ASSERT_EQ(engine_.recorded().comments.size(), 1u);
  EXPECT_EQ(engine_.recorded().comments[0].actor.principal.id, "admin");
  EXPECT_EQ(engine_.recorded().comments[0].text, "why 100?");
}

TEST_F(RequestHandlerTest, CancelPassesReason) {
  Response response = Send(http::verb::post, "/v1/runs/run-1/cancel", R"({"reason": "dup"})");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(Body(response).at("run_id"), "run-1");
  ASSERT_EQ(engine_.recorded().cancels.size(), 1u);
  EXPECT_EQ(engine_.recorded().cancels[0].run_id, "run-1");
  EXPECT_EQ(engine_.recorded().cancels[0].actor.principal.id, "admin");
  EXPECT_EQ(engine_.recorded().cancels[0].reason, "dup");
}

TEST_F(RequestHandlerTest, PutWorkflowChecksName) {
  Response mismatch = Send(http::verb::put, "/v1/workflows/pay", R"({"name": "other"})");
  EXPECT_EQ(mismatch.result(), http::status::bad_request);
  EXPECT_TRUE(engine_.recorded().applied.empty());

  Response response = Send(http::verb::put, "/v1/workflows/pay", R"({"name": "pay", "steps": []})");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(Body(response).at("name"), "pay");
  ASSERT_EQ(engine_.recorded().applied.size(), 1u);
  EXPECT_EQ(engine_.recorded().applied[0].first, "pay");
  EXPECT_EQ(json::serialize(engine_.recorded().applied[0].second), R"({"name":"pay","steps":[]})");
}

TEST_F(RequestHandlerTest, PathSegmentsArePercentDecoded) {
  Send(http::verb::get, "/v1/runs/run%201/events");
  ASSERT_EQ(engine_.recorded().run_reads.size(), 1u);
  EXPECT_EQ(engine_.recorded().run_reads[0], "run 1");
}

TEST_F(RequestHandlerTest, ListsWrapTheirItems) {
  engine_.events_result = std::vector<engine::EventView>{{7, 0, "run.started", {}}};
  Response events = Send(http::verb::get, "/v1/runs/run-1/events");
  EXPECT_EQ(json::serialize(Body(events)),
            R"({"events":[{"seq":7,"at":"1970-01-01T00:00:00.000Z","type":"run.started"}]})");
  engine_.workflows_result = std::vector<engine::WorkflowView>{{"pay", 3, json::object{}}};
  Response workflows = Send(http::verb::get, "/v1/workflows");
  EXPECT_EQ(json::serialize(Body(workflows)),
            R"({"workflows":[{"name":"pay","version":3,"definition":{}}]})");
}

TEST(IsStreamTargetTest, MatchesOnlyTheStreamPath) {
  EXPECT_TRUE(IsStreamTarget("/v1/stream"));
  EXPECT_TRUE(IsStreamTarget("/v1/stream?x=1"));
  EXPECT_FALSE(IsStreamTarget("/v1/streams"));
  EXPECT_FALSE(IsStreamTarget("/v1/runs"));
}

TEST_F(RequestHandlerTest, AuditPassesTheQueryAndTheCallerAndAnswersThePage) {
  engine::AuditEntry decided{.action = "approval.decided",
                             .at_ms = 1'764'000'000'000,
                             .actor = "alice",
                             .channel = engine::Channel::kStream,
                             .request_id = "req-1",
                             .workflow = "invoice",
                             .run_id = "run-1",
                             .seq = 9,
                             .approval_id = "run-1.7",
                             .decision = engine::Decision::kApprove,
                             .comment = "ok"};
  engine_.audit_result = engine::AuditPage{{decided}, "00ab"};
  Response response =
      Send(http::verb::get, "/v1/audit?workflow=invoice&actor=alice&run=run-1&limit=5&after=00aa");
  ASSERT_EQ(response.result(), http::status::ok) << response.body();
  EXPECT_EQ(json::serialize(Body(response)),
            R"({"entries":[{"at":"2025-11-24T16:00:00.000Z","action":"approval.decided",)"
            R"("actor":"alice","workflow":"invoice","run_id":"run-1","seq":9,)"
            R"("channel":"stream","request_id":"req-1","approval_id":"run-1.7",)"
            R"("decision":"approve","comment":"ok"}],"next":"00ab"})");
  auto audits = engine_.recorded().audits;
  ASSERT_EQ(audits.size(), 1u);
  EXPECT_EQ(audits[0].first.workflow, "invoice");
  EXPECT_EQ(audits[0].first.actor, "alice");
  EXPECT_EQ(audits[0].first.run_id, "run-1");
  EXPECT_EQ(audits[0].first.limit, 5u);
  EXPECT_EQ(audits[0].first.after, "00aa");
  EXPECT_TRUE(audits[0].second.admin) << "the caller, as authenticated";

  engine_.audit_result = engine::AuditPage{};
  EXPECT_EQ(json::serialize(Body(Send(http::verb::get, "/v1/audit"))), R"({"entries":[]})")
      << "no next on the last page";
}

TEST_F(RequestHandlerTest, AuditRefusesBadParametersNamingThem) {
  for (const auto& [target, named] : std::vector<std::pair<std::string, std::string>>{
           {"/v1/audit?since=yesterday", "since"},
           {"/v1/audit?until=2026-13-01T00:00:00Z", "until"},
           {"/v1/audit?limit=0", "limit"},
           {"/v1/audit?limit=1001", "limit"},
           {"/v1/audit?actr=alice", "actr"},
           {"/v1/audit?actor=a&actor=b", "actor"}}) {
    Response response = Send(http::verb::get, target);
    EXPECT_EQ(response.result(), http::status::bad_request) << target;
    EXPECT_EQ(ErrorCode(response), "invalid_argument") << target;
    EXPECT_NE(response.body().find(named), std::string::npos) << target << ": " << response.body();
  }
  EXPECT_TRUE(engine_.recorded().audits.empty()) << "nothing reached the engine";
  engine_.audit_result = Status::InvalidArgument("after is not a cursor this audit gave");
  EXPECT_EQ(Send(http::verb::get, "/v1/audit?after=zz").result(), http::status::bad_request);
}

}  // namespace
}  // namespace assent::api
