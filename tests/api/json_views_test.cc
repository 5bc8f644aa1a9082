#include "api/json_views.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "tests/api/fake_engine.h"

namespace assent::api {
namespace {

namespace json = boost::json;

TEST(JsonViewsTest, FormatsTimesAsRfc3339UtcWithMilliseconds) {
  EXPECT_EQ(FormatTime(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTime(1'700'000'000'123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(FormatTime(951'782'400'005), "2000-02-29T00:00:00.005Z");
}

TEST(JsonViewsTest, ApprovalShape) {
  EXPECT_EQ(json::serialize(ToJson(testing::SampleApproval())),
            R"({"id":"ap-1","run_id":"run-1","workflow":"invoice","step_id":"review",)"
            R"("status":"pending",)"
            R"("message":"Pay 100 EUR to ACME?","show":{"amount":100,"payee":"ACME"},)"
            R"("decisions":[{"decision":"approve","reviewer":"alice","comment":"fine",)"
            R"("at":"2023-11-14T22:13:20.123Z"}],)"
            R"("comments":[{"author":"bob","text":"looks right","at":"2023-11-14T22:13:20.456Z"}],)"
            R"("requested_at":"2023-11-14T22:13:20.000Z","started_by":"carol"})");
}

// As one viewer asks for it: who may decide (entries as written) and whether they may now.
TEST(JsonViewsTest, ApprovalForAViewerAddsApproversAndCanDecide) {
  json::object approval = ToJson(testing::SampleApproval(),
                                 engine::DecidersView{{"alice", "group:finance", "*"}, false});
  EXPECT_EQ(json::serialize(approval.at("approvers")), R"(["alice","group:finance","*"])");
  EXPECT_EQ(approval.at("can_decide"), false);
  EXPECT_EQ(approval.at("id"), "ap-1");
  EXPECT_EQ(json::serialize(ToJson(testing::SampleApproval(), engine::DecidersView{{}, true})
                                .at("approvers")),
            "[]");
}

TEST(JsonViewsTest, ApprovalOfARunStartedBeforeIdentitiesHasNoStartedBy) {
  engine::ApprovalView approval = testing::SampleApproval();
  approval.started_by.clear();
  EXPECT_FALSE(ToJson(approval).contains("started_by"));
}

TEST(JsonViewsTest, WaitingRunHasNeitherOutputNorError) {
  json::object run = ToJson(testing::SampleRun());
  EXPECT_EQ(run.at("run_id"), "run-1");
  EXPECT_EQ(run.at("workflow"), "pay");
  EXPECT_EQ(run.at("version"), 2);
  EXPECT_EQ(run.at("status"), "waiting");
  EXPECT_EQ(json::serialize(run.at("input")), R"({"amount":100})");
  EXPECT_EQ(json::serialize(run.at("steps")), R"({"lookup":{"ok":true}})");
  ASSERT_EQ(run.at("pending_approvals").as_array().size(), 1u);
  EXPECT_EQ(run.at("pending_approvals").as_array()[0].at("id"), "ap-1");
  EXPECT_EQ(run.at("started_at"), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(run.at("updated_at"), "2023-11-14T22:13:21.000Z");
  EXPECT_FALSE(run.contains("output"));
  EXPECT_FALSE(run.contains("error"));
}

TEST(JsonViewsTest, CompletedRunHasOutputAndFailedRunHasError) {
  engine::RunView run = testing::SampleRun();
  run.status = engine::RunStatus::kCompleted;
  run.output = json::object{{"paid", true}};
  json::object completed = ToJson(run);
  EXPECT_EQ(json::serialize(completed.at("output")), R"({"paid":true})");
  EXPECT_FALSE(completed.contains("error"));

  run.status = engine::RunStatus::kFailed;
  run.error = "step pay: HTTP 500";
  json::object failed = ToJson(run);
  EXPECT_EQ(failed.at("error"), "step pay: HTTP 500");
  EXPECT_FALSE(failed.contains("output"));
}

TEST(JsonViewsTest, EventFieldsSitBesideSeqAtType) {
  engine::EventView event{42, 1'700'000'000'000, "step.completed",
                          {{"step_id", "lookup"}, {"seq", "ignored"}}};
  EXPECT_EQ(json::serialize(ToJson(event)),
            R"({"seq":42,"at":"2023-11-14T22:13:20.000Z","type":"step.completed",)"
            R"("step_id":"lookup"})");
}

TEST(JsonViewsTest, NotificationCarriesItsTypeApprovalAndCursor) {
  engine::ApprovalNotification notification{engine::ApprovalNotification::Kind::kCommentAdded,
                                            testing::SampleApproval(), 17};
  json::object message = ToJson(notification);
  EXPECT_EQ(message.at("type"), "comment.added");
  EXPECT_EQ(message.at("approval").at("id"), "ap-1");
  EXPECT_EQ(message.at("cursor"), 17u);
  EXPECT_FALSE(message.contains("by"));  // none known: left out
  notification.kind = engine::ApprovalNotification::Kind::kCancelled;
  EXPECT_EQ(ToJson(notification).at("type"), "approval.cancelled");
}

// A live page shows "decided by bob" and "cancelled by carol" from the message alone.
TEST(JsonViewsTest, NotificationSaysWhoCausedIt) {
  engine::ApprovalNotification cancelled{engine::ApprovalNotification::Kind::kCancelled,
                                         testing::SampleApproval(), 18, "carol"};
  EXPECT_EQ(json::serialize(ToJson(cancelled)).find(R"("by":"carol","cursor":18})") !=
                std::string::npos,
            true)
      << json::serialize(ToJson(cancelled));
}

}  // namespace
}  // namespace assent::api
