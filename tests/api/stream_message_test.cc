#include "api/stream_message.h"

#include <gtest/gtest.h>

#include <variant>

#include <boost/json/parse.hpp>

namespace assent::api {
namespace {

namespace json = boost::json;

const std::optional<engine::Principal> kNotAuthenticated;
const engine::Principal kAlice{"alice", {"finance"}};

std::string ErrorCode(const StreamMessage& message) {
  const auto* error = std::get_if<ApiError>(&message.request);
  return error == nullptr ? "<no error>" : error->code;
}

TEST(StreamMessageTest, BeforeAuthenticationTakesOnlyAnAuthMessage) {
  StreamMessage auth = ParseStreamMessage(R"({"type":"auth","token":"t0k"})", kNotAuthenticated);
  ASSERT_TRUE(std::holds_alternative<StreamAuth>(auth.request));
  EXPECT_EQ(std::get<StreamAuth>(auth.request).token, "t0k");

  StreamMessage no_token = ParseStreamMessage(R"({"type":"auth","token":7})", kNotAuthenticated);
  ASSERT_TRUE(std::holds_alternative<StreamAuth>(no_token.request));
  EXPECT_EQ(std::get<StreamAuth>(no_token.request).token, "");

  StreamMessage decide = ParseStreamMessage(
      R"({"type":"decide","id":"ap-1","decision":"approve","req":3})", kNotAuthenticated);
  EXPECT_EQ(ErrorCode(decide), "unauthorized");
  EXPECT_EQ(decide.req, json::value(3));
  EXPECT_EQ(ErrorCode(ParseStreamMessage("not json", kNotAuthenticated)), "unauthorized");
}

TEST(StreamMessageTest, DecideBecomesACommandOnTheReviewersBehalf) {
  StreamMessage message = ParseStreamMessage(
      R"({"type":"decide","id":"ap-1","decision":"reject","comment":"no","req":"r1"})",
      kAlice);
  ASSERT_TRUE(std::holds_alternative<engine::DecideCommand>(message.request))
      << ErrorCode(message);
  const auto& command = std::get<engine::DecideCommand>(message.request);
  EXPECT_EQ(command.approval_id, "ap-1");
  EXPECT_EQ(command.decision, engine::Decision::kReject);
  EXPECT_EQ(command.comment, "no");
  EXPECT_EQ(command.actor.principal, kAlice) << "the whole principal, groups too";
  EXPECT_EQ(command.actor.channel, engine::Channel::kStream);
  EXPECT_FALSE(command.actor.request_id.empty());
  EXPECT_EQ(message.req, json::value("r1"));
}

TEST(StreamMessageTest, CommentBecomesACommandOnTheReviewersBehalf) {
  StreamMessage message =
      ParseStreamMessage(R"({"type":"comment","id":"ap-2","text":"looks odd"})",
                         kAlice);
  ASSERT_TRUE(std::holds_alternative<engine::CommentCommand>(message.request))
      << ErrorCode(message);
  const auto& command = std::get<engine::CommentCommand>(message.request);
  EXPECT_EQ(command.approval_id, "ap-2");
  EXPECT_EQ(command.text, "looks odd");
  EXPECT_EQ(command.actor.principal.id, "alice");
  EXPECT_TRUE(message.req.is_null());
}

TEST(StreamMessageTest, RefusesWhatIsNotACommand) {
  const std::optional<engine::Principal> reviewer(kAlice);
  EXPECT_EQ(ErrorCode(ParseStreamMessage("{", reviewer)), "invalid_json");
  EXPECT_EQ(ErrorCode(ParseStreamMessage("[1]", reviewer)), "invalid_json");
  // An auth message once authenticated is not a command either.
  EXPECT_EQ(ErrorCode(ParseStreamMessage(R"({"type":"auth","token":"t"})", reviewer)),
            "invalid_argument");
  EXPECT_EQ(ErrorCode(ParseStreamMessage(R"({"type":"decide","decision":"approve"})", reviewer)),
            "invalid_argument");
  EXPECT_EQ(ErrorCode(ParseStreamMessage(R"({"type":"decide","id":"","decision":"approve"})",
                                         reviewer)),
            "invalid_argument");
  EXPECT_EQ(ErrorCode(ParseStreamMessage(R"({"type":"decide","id":"a","decision":"reject"})",
                                         reviewer)),
            "invalid_argument");
  EXPECT_EQ(ErrorCode(ParseStreamMessage(R"({"type":"comment","id":"a","text":"x","extra":1})",
                                         reviewer)),
            "invalid_argument");
}

TEST(StreamMessageTest, AuthCarriesWhereTheStreamStarts) {
  StreamMessage auth = ParseStreamMessage(R"({"type":"auth","token":"t","since":42,"page_size":9})",
                                          kNotAuthenticated);
  ASSERT_TRUE(std::holds_alternative<StreamAuth>(auth.request)) << ErrorCode(auth);
  EXPECT_EQ(std::get<StreamAuth>(auth.request).since, 42u);
  EXPECT_EQ(std::get<StreamAuth>(auth.request).page_size, 9u);

  StreamMessage plain = ParseStreamMessage(R"({"type":"auth","token":"t"})", kNotAuthenticated);
  EXPECT_EQ(std::get<StreamAuth>(plain.request).since, std::nullopt);
  EXPECT_EQ(std::get<StreamAuth>(plain.request).page_size, std::nullopt);

  StreamMessage huge = ParseStreamMessage(R"({"type":"auth","token":"t","page_size":100000})",
                                          kNotAuthenticated);
  EXPECT_EQ(std::get<StreamAuth>(huge.request).page_size, kMaxSnapshotPage) << "capped";

  for (const char* bad : {R"({"type":"auth","token":"t","since":-1})",
                          R"({"type":"auth","token":"t","since":"3"})",
                          R"({"type":"auth","token":"t","since":1.5})",
                          R"({"type":"auth","token":"t","page_size":[]})"}) {
    EXPECT_EQ(ErrorCode(ParseStreamMessage(bad, kNotAuthenticated)), "invalid_argument") << bad;
  }
}

TEST(StreamMessageTest, SnapshotMoreAsksForThePageAfterAToken) {
  const std::optional<engine::Principal> reviewer(engine::Principal{.id = "alice"});
  StreamMessage more = ParseStreamMessage(
      R"({"type":"snapshot.more","after":"ap-9","limit":20,"req":5})", reviewer);
  ASSERT_TRUE(std::holds_alternative<StreamSnapshotMore>(more.request)) << ErrorCode(more);
  EXPECT_EQ(std::get<StreamSnapshotMore>(more.request).after, "ap-9");
  EXPECT_EQ(std::get<StreamSnapshotMore>(more.request).limit, 20u);
  EXPECT_EQ(more.req, json::value(5));
  StreamMessage unlimited =
      ParseStreamMessage(R"({"type":"snapshot.more","after":"ap-9"})", reviewer);
  EXPECT_EQ(std::get<StreamSnapshotMore>(unlimited.request).limit, kMaxSnapshotPage);

  EXPECT_EQ(ErrorCode(ParseStreamMessage(R"({"type":"snapshot.more"})", reviewer)),
            "invalid_argument");
  EXPECT_EQ(ErrorCode(ParseStreamMessage(R"({"type":"snapshot.more","after":""})", reviewer)),
            "invalid_argument");
  EXPECT_EQ(ErrorCode(ParseStreamMessage(R"({"type":"snapshot.more","after":"a","limit":-2})",
                                         reviewer)),
            "invalid_argument");
  EXPECT_EQ(ErrorCode(ParseStreamMessage(R"({"type":"snapshot.more","after":"a"})",
                                         kNotAuthenticated)),
            "unauthorized");
}

TEST(StreamMessageTest, UpgradeTargetCarriesWhereTheStreamStarts) {
  Result<StreamStart> start = ParseStreamTarget("/v1/stream?since=17&page_size=3&other=x");
  ASSERT_TRUE(start.ok()) << start.status().ToString();
  EXPECT_EQ(start->since, 17u);
  EXPECT_EQ(start->page_size, 3u);
  Result<StreamStart> plain = ParseStreamTarget("/v1/stream");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->since, std::nullopt);
  EXPECT_EQ(plain->page_size, kMaxSnapshotPage);
  for (const char* bad : {"/v1/stream?since=", "/v1/stream?since=-1", "/v1/stream?since=1x",
                          "/v1/stream?page_size=ten", "/v1/stream?since=99999999999999999999"}) {
    EXPECT_FALSE(ParseStreamTarget(bad).ok()) << bad;
  }
}

// A reviewer's message that could be read two ways is refused, not read the way Boost would.
TEST(StreamMessageTest, RefusesAmbiguousOrUnstorableJson) {
  const std::optional<engine::Principal> reviewer(kAlice);
  EXPECT_EQ(ErrorCode(ParseStreamMessage(R"({"type":"decide","id":"a","decision":"reject",)"
                                         R"("comment":"no","decision":"approve"})",
                                         reviewer)),
            "invalid_json");
  EXPECT_EQ(ErrorCode(ParseStreamMessage(R"({"type":"comment","id":"a","text":"x","req":1e400})",
                                         reviewer)),
            "invalid_json");
}

}  // namespace
}  // namespace assent::api
