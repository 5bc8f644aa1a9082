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
