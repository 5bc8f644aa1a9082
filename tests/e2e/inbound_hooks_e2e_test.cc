// Inbound webhooks through the real server: POST /v1/hooks/{workflow}/{hook} with a body
// signed as GitHub signs (X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>) starts
// a run with the body as input, with no user token; a bad or missing signature is 401 and
// starts nothing; the same delivery id starts one run, also when the server was SIGKILLed
// in between; the audit lists the start with the hook as its actor; the secret never shows.
#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"
#include "tests/support/webhook_signature_check.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kHookSecret = "gh-hook-secret-0123456789";
constexpr const char* kPushBody = R"({"ref": "refs/heads/main", "after": "4f2a"})";

class InboundHooksE2eTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    json::value document = json::parse(R"({"steps": [
        {"id": "build", "type": "code", "lua": "return {ref = input.ref, sha = input.after}"}],
        "hooks": [{"id": "github-push",
                   "signature": {"header": "X-Hub-Signature-256", "prefix": "sha256="},
                   "delivery_id_header": "X-GitHub-Delivery"},
                  {"id": "plain"}]})");
    for (json::value& hook : document.at("hooks").as_array()) {
      hook.as_object()["secret"] = kHookSecret;
    }
    HttpReply applied = api().Put("/v1/workflows/deploy", document);
    ASSERT_EQ(applied.status, 200u) << applied.raw;
  }

  // A push as GitHub sends it: no user token, the body signed with the hook's secret.
  HttpReply Push(const std::string& delivery, const std::string& body = kPushBody,
                 const std::string& secret = kHookSecret) {
    return api().Send("POST", "/v1/hooks/deploy/github-push", body,
                      {{"Content-Type", "application/json"},
                       {"X-GitHub-Delivery", delivery},
                       {"X-Hub-Signature-256", "sha256=" + HmacSha256Hex(secret, body)}},
                      /*authorize=*/false);
  }

  size_t RunsOfDeploy() {
    HttpReply runs = api().Get("/v1/runs?workflow=deploy");
    EXPECT_EQ(runs.status, 200u) << runs.raw;
    return runs.status == 200 ? runs.body.at("runs").as_array().size() : 0;
  }
};

TEST_F(InboundHooksE2eTest, ASignedPushStartsOneRunPerDeliveryAcrossASigkill) {
  HttpReply started = Push("d-1");
  ASSERT_EQ(started.status, 201u) << started.raw;
  const std::string run_id(started.body.at("run_id").as_string());
  json::value run = AwaitRunStatus(run_id, "completed");
  EXPECT_EQ(run.at("input"), json::parse(kPushBody));
  EXPECT_EQ(run.at("output"), (json::value{{"ref", "refs/heads/main"}, {"sha", "4f2a"}}));
  EXPECT_EQ(run.at("started_by"), "hook:deploy/github-push");

  HttpReply again = Push("d-1");
  EXPECT_EQ(again.status, 200u) << again.raw;
  EXPECT_EQ(again.body.at("run_id").as_string(), run_id);

  server_->Kill();
  StartServer();
  HttpReply after_restart = Push("d-1");
  EXPECT_EQ(after_restart.status, 200u) << after_restart.raw;
  EXPECT_EQ(after_restart.body.at("run_id").as_string(), run_id);
  EXPECT_EQ(RunsOfDeploy(), 1u);
  HttpReply next = Push("d-2");
  EXPECT_EQ(next.status, 201u) << next.raw;
  EXPECT_EQ(RunsOfDeploy(), 2u);

  HttpReply audit = api().Get("/v1/audit?run=" + run_id);
  ASSERT_EQ(audit.status, 200u) << audit.raw;
  const json::array& entries = audit.body.at("entries").as_array();
  ASSERT_FALSE(entries.empty()) << audit.raw;
  const json::value& start = entries.back();
  EXPECT_EQ(start.at("action"), "run.started") << audit.raw;
  EXPECT_EQ(start.at("actor"), "hook:deploy/github-push");
  EXPECT_EQ(start.at("channel"), "hook");
}

TEST_F(InboundHooksE2eTest, AWrongOrMissingCredentialIs401AndStartsNothing) {
  HttpReply wrong = Push("d-1", kPushBody, "not-the-secret-at-all");
  EXPECT_EQ(wrong.status, 401u) << wrong.raw;
  EXPECT_EQ(wrong.body.at("error").at("code"), "unauthorized");
  HttpReply tampered = api().Send(
      "POST", "/v1/hooks/deploy/github-push", R"({"ref": "refs/heads/evil"})",
      {{"X-Hub-Signature-256", "sha256=" + HmacSha256Hex(kHookSecret, kPushBody)}}, false);
  EXPECT_EQ(tampered.status, 401u) << tampered.raw;
  HttpReply unsigned_push =
      api().Send("POST", "/v1/hooks/deploy/github-push", kPushBody, {}, false);
  EXPECT_EQ(unsigned_push.status, 401u) << unsigned_push.raw;
  EXPECT_THAT(unsigned_push.raw, HasSubstr("x-hub-signature-256"));
  // The plain hook takes its secret as a bearer token; the server's user tokens are no use.
  EXPECT_EQ(api().Send("POST", "/v1/hooks/deploy/plain", "{}", {}, /*authorize=*/true).status,
            401u);
  HttpReply bearer = api().Send("POST", "/v1/hooks/deploy/plain", R"({"n": 1})",
                                {{"Authorization", std::string("Bearer ") + kHookSecret}}, false);
  EXPECT_EQ(bearer.status, 201u) << bearer.raw;
  for (const HttpReply* reply : {&wrong, &tampered, &unsigned_push}) {
    EXPECT_THAT(reply->raw, Not(HasSubstr(kHookSecret)));
  }
  EXPECT_EQ(RunsOfDeploy(), 1u) << "only the plain hook's start";
}

TEST_F(InboundHooksE2eTest, BadRequestsGetClearErrors) {
  HttpReply not_object = Push("d-1", "[1, 2]");
  EXPECT_EQ(not_object.status, 400u) << not_object.raw;
  EXPECT_EQ(not_object.body.at("error").at("code"), "invalid_json");
  EXPECT_EQ(Push("d-1", "").status, 400u);
  HttpReply no_hook = api().Send("POST", "/v1/hooks/deploy/gitlab", "{}", {}, false);
  EXPECT_EQ(no_hook.status, 404u) << no_hook.raw;
  EXPECT_THAT(no_hook.raw, HasSubstr("has no hook 'gitlab'"));
  EXPECT_EQ(api().Send("POST", "/v1/hooks/nope/github-push", "{}", {}, false).status, 404u);
  HttpReply too_large = Push("d-1", R"({"x": ")" + std::string(2 << 20, 'a') + R"("})");
  EXPECT_EQ(too_large.status, 413u);

  ASSERT_EQ(api().Post("/v1/workflows/deploy/disable", json::object{}).status, 200u);
  HttpReply disabled = Push("d-9");
  EXPECT_EQ(disabled.status, 422u) << disabled.raw;
  EXPECT_EQ(disabled.body.at("error").at("code"), "failed_precondition");
  EXPECT_EQ(RunsOfDeploy(), 0u);
}

TEST_F(InboundHooksE2eTest, TheSecretNeverShows) {
  for (const std::string path :
       {"/v1/workflows/deploy", "/v1/workflows", "/v1/workflows/deploy/versions"}) {
    HttpReply shown = api().Get(path);
    EXPECT_EQ(shown.status, 200u) << path;
    EXPECT_THAT(shown.raw, Not(HasSubstr(kHookSecret))) << path;
    EXPECT_THAT(shown.raw, HasSubstr(R"("secret":"***")")) << path;
  }
  HttpReply started = Push("d-1");
  ASSERT_EQ(started.status, 201u);
  HttpReply events = api().Get("/v1/runs/" + std::string(started.body.at("run_id").as_string()) +
                               "/events");
  EXPECT_THAT(events.raw, Not(HasSubstr(kHookSecret)));
  EXPECT_THAT(server_->output(), Not(HasSubstr(kHookSecret)));
}

}  // namespace
}  // namespace assent::testing
