// Inbound webhooks: a definition's `hooks` read with refusals naming the hook and field; a
// request authenticated by its secret (a bearer token or X-Hook-Secret) or by the HMAC-SHA256
// signature of its raw body in the hook's header; its delivery id read from the hook's header;
// secrets hidden in views. Then through the engine: a hook's start is recorded as the hook, on
// the hook channel, keyed by its delivery id, refused for a wrong secret, an unknown hook or a
// disabled workflow. Runs are checked for replay equality when each test ends.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/internal/definition.h"
#include "engine/internal/inbound_hooks.h"
#include "engine/internal/webhook_signature.h"
#include "tests/engine/engine_fixture.h"

namespace assent::engine {
namespace {

namespace json = boost::json;
using engine_testing::Await;
using engine_testing::EngineTest;
using ::testing::HasSubstr;

constexpr const char* kSecret = "hook-secret-0123456789";

Status HooksError(const std::string& hooks) {
  return ParseInboundHooks(json::parse(hooks)).status();
}

TEST(InboundHooksTest, ReadsIdSecretSignatureAndDeliveryHeader) {
  auto hooks = ParseInboundHooks(json::parse(R"([
      {"id": "github-push", "secret": "hook-secret-0123456789",
       "signature": {"header": "X-Hub-Signature-256", "prefix": "sha256="},
       "delivery_id_header": "X-GitHub-Delivery"},
      {"id": "plain", "secret": "another-secret-0123"}])"));
  ASSERT_TRUE(hooks.ok()) << hooks.status().ToString();
  ASSERT_EQ(hooks->size(), 2u);
  EXPECT_EQ((*hooks)[0].id, "github-push");
  ASSERT_TRUE((*hooks)[0].signature.has_value());
  EXPECT_EQ((*hooks)[0].signature->header, "x-hub-signature-256") << "compared in lower case";
  EXPECT_EQ((*hooks)[0].signature->prefix, "sha256=");
  EXPECT_EQ((*hooks)[0].delivery_id_header, "x-github-delivery");
  EXPECT_FALSE((*hooks)[1].signature.has_value());
  EXPECT_EQ((*hooks)[1].delivery_id_header, "x-delivery-id") << "the default";
}

TEST(InboundHooksTest, RefusalsNameTheHookAndTheField) {
  EXPECT_THAT(HooksError(R"({"id": "a"})").message(), HasSubstr("'hooks' must be an array"));
  EXPECT_THAT(HooksError(R"([{"secret": "hook-secret-0123456789"}])").message(),
              HasSubstr("hook #1: missing required field 'id'"));
  EXPECT_THAT(HooksError(R"([{"id": "a b", "secret": "hook-secret-0123456789"}])").message(),
              HasSubstr("hook #1: 'id' must be 1-128 characters"));
  EXPECT_THAT(HooksError(R"([{"id": "gh"}])").message(),
              HasSubstr("hook 'gh': missing required field 'secret'"));
  EXPECT_THAT(HooksError(R"([{"id": "gh", "secret": "short"}])").message(),
              HasSubstr("hook 'gh': 'secret' must be 16 to 1024 bytes"));
  EXPECT_THAT(HooksError(R"([{"id": "gh", "secret": "***"}])").message(),
              HasSubstr("hook 'gh': 'secret' is the redacted placeholder"));
  EXPECT_THAT(HooksError(R"([{"id": "gh", "secret": "hook-secret-0123456789", "url": "x"}])")
                  .message(),
              HasSubstr("hook 'gh': unknown field 'url'"));
  EXPECT_THAT(HooksError(R"([{"id": "gh", "secret": "hook-secret-0123456789",
                              "signature": {"prefix": "sha256="}}])").message(),
              HasSubstr("hook 'gh': 'signature' missing required field 'header'"));
  EXPECT_THAT(HooksError(R"([{"id": "gh", "secret": "hook-secret-0123456789",
                              "signature": {"header": "X Sig"}}])").message(),
              HasSubstr("hook 'gh': 'signature' 'header' must be a header name"));
  EXPECT_THAT(HooksError(R"([{"id": "gh", "secret": "hook-secret-0123456789",
                              "delivery_id_header": "a:b"}])").message(),
              HasSubstr("hook 'gh': 'delivery_id_header' must be a header name"));
  EXPECT_THAT(HooksError(R"([{"id": "gh", "secret": "hook-secret-0123456789"},
                             {"id": "gh", "secret": "hook-secret-0123456789"}])").message(),
              HasSubstr("hook 'gh': duplicate id"));
  json::array many;
  for (int i = 0; i < 17; ++i) {
    many.push_back(json::object{{"id", "h" + std::to_string(i)}, {"secret", kSecret}});
  }
  EXPECT_THAT(ParseInboundHooks(many).status().message(), HasSubstr("at most 16"));
  // And in a definition, the error is the definition's.
  auto definition = ParseDefinition("flow", json::parse(R"({"steps": [{"id": "a", "type": "code",
      "lua": "return {}"}], "hooks": [{"id": "gh", "secret": "short"}]})"));
  EXPECT_THAT(definition.status().message(), HasSubstr("hook 'gh': 'secret'"));
}

InboundHook Hook(bool signed_body) {
  InboundHook hook{.id = "gh", .secret = kSecret};
  if (signed_body) hook.signature = HookSignature{"x-hub-signature-256", "sha256="};
  return hook;
}

TEST(InboundHooksTest, ASecretIsSentAsABearerTokenOrItsOwnHeader) {
  const InboundHook hook = Hook(false);
  EXPECT_TRUE(AuthenticateHook(hook, {{"authorization", std::string("Bearer ") + kSecret}}, "{}")
                  .ok());
  EXPECT_TRUE(AuthenticateHook(hook, {{"authorization", std::string("bearer ") + kSecret}}, "{}")
                  .ok());
  EXPECT_TRUE(AuthenticateHook(hook, {{"x-hook-secret", kSecret}}, "{}").ok());
  for (const HookHeaders& wrong : std::vector<HookHeaders>{
           {},
           {{"authorization", "Bearer hook-secret-012345678"}},   // one byte short
           {{"authorization", "Bearer hook-secret-0123456788"}},  // last byte differs
           {{"authorization", kSecret}},                          // no scheme
           {{"x-hook-secret", ""}}}) {
    Status refused = AuthenticateHook(hook, wrong, "{}");
    EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied);
    EXPECT_THAT(refused.message(), ::testing::Not(HasSubstr(kSecret)));
  }
}

TEST(InboundHooksTest, ASignatureIsTheBodysHmacAfterThePrefix) {
  const InboundHook hook = Hook(true);
  const std::string body = R"({"ref":"main"})";
  const std::string good = "sha256=" + HmacSha256Hex(kSecret, body);
  EXPECT_TRUE(AuthenticateHook(hook, {{"x-hub-signature-256", good}}, body).ok());
  std::string upper = good;
  for (size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_TRUE(AuthenticateHook(hook, {{"x-hub-signature-256", upper}}, body).ok())
      << "hex digits in either case";
  EXPECT_THAT(AuthenticateHook(hook, {}, body).message(),
              HasSubstr("no x-hub-signature-256 header"));
  EXPECT_THAT(AuthenticateHook(hook, {{"x-hub-signature-256", good}}, body + " ").message(),
              HasSubstr("is not the body's HMAC-SHA256"));
  EXPECT_FALSE(AuthenticateHook(hook, {{"x-hub-signature-256", good.substr(7)}}, body).ok())
      << "without its prefix";
  EXPECT_FALSE(AuthenticateHook(hook, {{"x-hub-signature-256",
                                        "sha256=" + HmacSha256Hex("another", body)}}, body)
                   .ok());
  EXPECT_FALSE(
      AuthenticateHook(hook, {{"authorization", std::string("Bearer ") + kSecret}}, body).ok())
      << "a signed hook takes no bare secret";
}

TEST(InboundHooksTest, TheDeliveryIdIsPrintableAsciiOfAtMost200Bytes) {
  const InboundHook hook = Hook(false);
  EXPECT_EQ(HookDeliveryId(hook, {}).value(), "");
  EXPECT_EQ(HookDeliveryId(hook, {{"x-delivery-id", "d-1"}}).value(), "d-1");
  EXPECT_EQ(HookDeliveryId(hook, {{"x-delivery-id", std::string(201, 'a')}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_THAT(HookDeliveryId(hook, {{"x-delivery-id", "a\x01"}}).status().message(),
              HasSubstr("x-delivery-id header must be at most 200 printable ASCII"));
}

TEST(InboundHooksTest, ViewsHideEveryHooksSecret) {
  json::value shown = RedactHookSecrets(json::parse(R"({"steps": [],
      "hooks": [{"id": "a", "secret": "hook-secret-0123456789"}, {"id": "b"}]})"));
  EXPECT_EQ(shown.at("hooks").at(0).at("secret"), "***");
  EXPECT_FALSE(shown.at("hooks").at(1).as_object().contains("secret"));
}

class HookStartTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    json::object document{
        {"steps", json::parse(R"([{"id": "done", "type": "code",
                                  "lua": "return {ref = input.ref}"}])")},
        {"starters", json::array{"alice"}},
        {"hooks", json::array{json::object{{"id", "gh"}, {"secret", kSecret}}}}};
    ASSERT_TRUE(engine_->ApplyWorkflow(engine_testing::kAdmin, "deploy", document).ok());
  }

  Result<StartRunResult> HookStart(const std::string& secret, const std::string& delivery,
                                   const std::string& body = R"({"ref": "main"})",
                                   const std::string& hook = "gh") {
    HookStartCommand command{"deploy", hook, body, json::parse(body).as_object(),
                             {{"authorization", "Bearer " + secret}}, "req-1"};
    if (!delivery.empty()) command.headers.emplace_back("x-delivery-id", delivery);
    return Await<StartRunResult>(
        [&](auto done) { engine_->StartRunFromHook(std::move(command), done); });
  }
};

TEST_F(HookStartTest, AHookStartsARunAsItselfAndADeliveryIdStartsOne) {
  Result<StartRunResult> first = HookStart(kSecret, "d-1");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->created);
  RunView run = Run(first->run_id);
  EXPECT_EQ(run.status, RunStatus::kCompleted);
  ASSERT_TRUE(run.output.has_value());
  EXPECT_EQ(*run.output, (json::value{{"ref", "main"}}));
  EXPECT_EQ(run.started_by, "hook:deploy/gh");
  auto events = engine_->GetEvents(engine_testing::kAdmin, first->run_id);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->front().fields.at("channel"), "hook");
  EXPECT_EQ(events->front().fields.at("idempotency_key"), "hook:gh:d-1");

  Result<StartRunResult> again = HookStart(kSecret, "d-1");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->run_id, first->run_id);
  Result<StartRunResult> other = HookStart(kSecret, "d-2");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->run_id, first->run_id);
  Result<StartRunResult> changed = HookStart(kSecret, "d-1", R"({"ref": "other"})");
  EXPECT_EQ(changed.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(changed.status().message(), HasSubstr("this delivery id already started run"));
  Result<StartRunResult> unkeyed = HookStart(kSecret, "");
  ASSERT_TRUE(unkeyed.ok());
  EXPECT_NE(unkeyed->run_id, HookStart(kSecret, "")->run_id) << "no delivery id: no key";

  auto audit = engine_->ListAudit(AuditQuery{.run_id = first->run_id}, engine_testing::kAdmin);
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  ASSERT_FALSE(audit->entries.empty());
  EXPECT_EQ(audit->entries.back().actor, "hook:deploy/gh");
  EXPECT_EQ(audit->entries.back().channel, Channel::kHook);
}

TEST_F(HookStartTest, AWrongSecretAnUnknownHookAndADisabledWorkflowStartNothing) {
  EXPECT_EQ(HookStart("not-the-secret-at-all", "d-1").status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(HookStart(kSecret, "d-1", "{}", "other").status().code(), StatusCode::kNotFound);
  HookStartCommand unknown{"nope", "gh", "{}", {}, {}, ""};
  EXPECT_EQ(Await<StartRunResult>([&](auto done) {
              engine_->StartRunFromHook(std::move(unknown), done);
            }).status().code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(engine_->SetWorkflowDisabled(engine_testing::kAdmin, "deploy", true).ok());
  Result<StartRunResult> disabled = HookStart(kSecret, "d-1");
  EXPECT_EQ(disabled.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(disabled.status().message(), HasSubstr("is disabled"));
  auto runs = ListRunsAsAdmin(std::nullopt, 10);
  ASSERT_TRUE(runs.ok());
  EXPECT_TRUE(runs->empty());
}

TEST_F(HookStartTest, AHooksSecretNeverShowsInViews) {
  auto workflow = engine_->GetWorkflow(engine_testing::kAdmin, "deploy");
  ASSERT_TRUE(workflow.ok());
  EXPECT_EQ(workflow->definition.at("hooks").at(0).at("secret"), "***");
  EXPECT_EQ(json::serialize(workflow->definition).find(kSecret), std::string::npos);
  auto versions = engine_->ListWorkflowVersions(engine_testing::kAdmin, "deploy");
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(json::serialize(versions->at(0).definition).find(kSecret), std::string::npos);
}

}  // namespace
}  // namespace assent::engine
