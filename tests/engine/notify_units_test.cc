// The small pure parts of webhook notifications: the signature, the retry policy, the outbox
// entry's codec, and the notify targets a definition may name.
#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/internal/definition.h"
#include "engine/internal/notify_outbox.h"
#include "engine/internal/notify_retry.h"
#include "engine/internal/notify_targets.h"
#include "engine/internal/webhook_signature.h"

namespace assent::engine {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using std::chrono::milliseconds;

TEST(WebhookSignatureTest, MatchesOpensslCommandLine) {
  // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
  EXPECT_EQ(WebhookHmac("secret", 1700000000, R"({"a":1})"),
            "49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686");
  EXPECT_EQ(WebhookSignature("secret", 1700000000, R"({"a":1})"),
            "t=1700000000,v1=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686");
}

TEST(WebhookSignatureTest, CoversTimestampBodyAndSecret) {
  const std::string base = WebhookHmac("secret", 1700000000, "body");
  EXPECT_NE(base, WebhookHmac("secret", 1700000001, "body"));
  EXPECT_NE(base, WebhookHmac("secret", 1700000000, "body "));
  EXPECT_NE(base, WebhookHmac("secreT", 1700000000, "body"));
}

TEST(NotifyRetryPolicyTest, DoublesFromInitialUpToMax) {
  NotifyRetryPolicy policy{milliseconds(1000), milliseconds(10'000), milliseconds(3'600'000)};
  EXPECT_EQ(policy.DelayAfter(1), milliseconds(1000));
  EXPECT_EQ(policy.DelayAfter(2), milliseconds(2000));
  EXPECT_EQ(policy.DelayAfter(4), milliseconds(8000));
  EXPECT_EQ(policy.DelayAfter(5), milliseconds(10'000));
  EXPECT_EQ(policy.DelayAfter(4'000'000'000u), milliseconds(10'000));  // no overflow
}

TEST(NotifyRetryPolicyTest, GivesUpWhenTheNextAttemptWouldPassTheBound) {
  NotifyRetryPolicy policy{milliseconds(1000), milliseconds(10'000), milliseconds(60'000)};
  const int64_t created = 1'000'000;
  EXPECT_FALSE(policy.GivesUp(created, created, 1));
  EXPECT_FALSE(policy.GivesUp(created, created + 59'000, 1));  // next at exactly the bound
  EXPECT_TRUE(policy.GivesUp(created, created + 59'001, 1));
  EXPECT_TRUE(policy.GivesUp(created, created + 55'000, 5));  // 10 s backoff passes it
}

TEST(NotifyOutboxTest, DeliveryRoundTrips) {
  OutboxDelivery delivery{"run_1.3.requested.1", "invoice", 2, 0, "https://hooks.example/T1",
                          WebhookFormat::kSlack, "/etc/ca.pem", R"({"text":"x"})", 1234};
  Result<OutboxDelivery> decoded = DecodeDelivery(EncodeDelivery(delivery));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, delivery);
  // A notify step's message names its step.
  delivery.id = NoticeDeliveryId("run_1", 4);
  delivery.step_id = "tell";
  decoded = DecodeDelivery(EncodeDelivery(delivery));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, delivery);
  EXPECT_EQ(decoded->id, "run_1.4.notify");
}

TEST(NotifyOutboxTest, GarbageIsCorruption) {
  EXPECT_EQ(DecodeDelivery("not a delivery").status().code(), StatusCode::kCorruption);
  std::string bytes = EncodeDelivery(OutboxDelivery{});
  bytes[bytes.size() / 2] ^= 0x5A;
  Result<OutboxDelivery> flipped = DecodeDelivery(bytes);
  // A flipped byte inside a field's bytes may still verify; one in the table's layout may not.
  if (!flipped.ok()) {
    EXPECT_EQ(flipped.status().code(), StatusCode::kCorruption);
  }
}

Status ParseError(const std::string& notify) {
  return ParseNotifyTargets(json::parse(notify)).status();
}

TEST(NotifyTargetsTest, ReadsUrlFormatSecretAndCaFile) {
  auto targets = ParseNotifyTargets(json::parse(
      R"([{"url": "https://hooks.example/T1", "format": "slack", "secret": "s3",
           "ca_file": "/etc/ca.pem"}, {"url": "http://10.0.0.5:8080/hook"}])"));
  ASSERT_TRUE(targets.ok()) << targets.status().ToString();
  ASSERT_EQ(targets->size(), 2u);
  EXPECT_EQ((*targets)[0], (NotifyTarget{"https://hooks.example/T1", WebhookFormat::kSlack, "s3",
                                         "/etc/ca.pem"}));
  EXPECT_EQ((*targets)[1], (NotifyTarget{"http://10.0.0.5:8080/hook", WebhookFormat::kJson, "",
                                         ""}));
}

TEST(NotifyTargetsTest, RefusesWhatAnHttpStepMayNotCallNamingTheTarget) {
  EXPECT_THAT(ParseError(R"([{"url": "ftp://x.example/"}])").message(),
              HasSubstr("notify target #1 (ftp://x.example/): 'url' must be an http:// or "
                        "https:// URL"));
  EXPECT_THAT(ParseError(R"([{"url": "http://x/"}, {"url": "http://user@x.example/"}])")
                  .message(),
              HasSubstr("notify target #2"));
  EXPECT_THAT(ParseError(R"([{"url": "http://169.254.169.254/latest"}])").message(),
              HasSubstr("link-local"));
  EXPECT_THAT(ParseError(R"([{"url": "http://[::ffff:169.254.169.254]/"}])").message(),
              HasSubstr("link-local"));
  EXPECT_THAT(ParseError(R"([{"url": "http://0xA9FEA9FE/"}])").message(),
              HasSubstr("reads as a number"));
  EXPECT_THAT(ParseError(R"([{"url": "http://x.example/{{input.a}}"}])").message(),
              HasSubstr("notify target #1"));
}

TEST(NotifyTargetsTest, RefusesBadFields) {
  EXPECT_THAT(ParseError(R"({"url": "http://x.example/"})").message(), HasSubstr("array"));
  EXPECT_THAT(ParseError(R"([{"url": "http://x.example/", "fromat": "json"}])").message(),
              HasSubstr("unknown field 'fromat'"));
  EXPECT_THAT(ParseError(R"([{"url": "http://x.example/", "format": "teams"}])").message(),
              HasSubstr("'format' must be \"json\" or \"slack\""));
  EXPECT_THAT(ParseError(R"([{"format": "json"}])").message(), HasSubstr("'url'"));
  EXPECT_THAT(ParseError(R"([{"url": "http://x.example/", "secret": ""}])").message(),
              HasSubstr("'secret' must be 1 to 1024 bytes"));
  EXPECT_THAT(ParseError(R"([{"url": "http://x.example/", "secret": "***"}])").message(),
              HasSubstr("redacted placeholder"));
  EXPECT_THAT(ParseError(R"([{"url": "https://hooks.example/***"}])").message(),
              HasSubstr("redacted placeholder"));
  EXPECT_THAT(ParseError(R"([{"url": "https://x.example/", "ca_file": "ca.pem"}])").message(),
              HasSubstr("absolute path"));
  EXPECT_THAT(ParseError(R"([{"url": "http://x.example/", "ca_file": "/ca.pem"}])").message(),
              HasSubstr("needs an https URL"));
  EXPECT_THAT(ParseError(R"([{"url": "http://x.example/", "secret": 7}])").message(),
              HasSubstr("'secret' must be a string"));
  json::array many;
  for (int i = 0; i < 17; ++i) many.push_back(json::object{{"url", "http://x.example/"}});
  EXPECT_THAT(ParseNotifyTargets(many).status().message(), HasSubstr("at most 16"));
}

TEST(NotifyTargetsTest, DefinitionsCarryTargetsAndViewsHideSecrets) {
  json::value document = json::parse(R"({"steps": [{"id": "a", "type": "code", "lua": "return {}"}],
      "notify": [{"url": "https://hooks.example/T1", "secret": "s3"}, {"url": "http://x.example/"}]})");
  auto definition = ParseDefinition("flow", document);
  ASSERT_TRUE(definition.ok()) << definition.status().ToString();
  ASSERT_EQ((*definition)->notify.size(), 2u);
  EXPECT_EQ((*definition)->notify[0].secret, "s3");
  json::value shown = RedactNotifySecrets(document);
  EXPECT_EQ(shown.at("notify").at(0).at("secret"), "***");
  EXPECT_EQ(shown.at("notify").at(0).at("url"), "https://hooks.example/***");
  EXPECT_FALSE(shown.at("notify").at(1).as_object().contains("secret"));
  EXPECT_EQ(shown.at("notify").at(1).at("url"), "http://x.example/") << "nothing to hide";
  EXPECT_EQ(shown.at("steps"), document.at("steps"));
  EXPECT_THAT(ParseDefinition("flow", json::parse(R"({"steps": [{"id": "a", "type": "code",
      "lua": "return {}"}], "notify": [{"url": "gopher://x/"}]})")).status().message(),
              HasSubstr("notify target #1"));
}

}  // namespace
}  // namespace assent::engine
