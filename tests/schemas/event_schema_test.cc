// Round trip per event type of schemas/event.fbs: build with FlatBufferBuilder, verify, read
// every field back. Also pins the union tags, which are persisted.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "schemas/event_generated.h"

namespace assent::fb {
namespace {

// Wraps `body` in an envelope of run "r1", seq 7, finishes and verifies the buffer, and checks
// the envelope. The returned event lives as long as `builder`.
const Event* FinishAndVerify(flatbuffers::FlatBufferBuilder& builder, Body type,
                             flatbuffers::Offset<void> body) {
  builder.Finish(CreateEventDirect(builder, "r1", 7, 1700000000123, type, body));
  flatbuffers::Verifier verifier(builder.GetBufferPointer(), builder.GetSize());
  EXPECT_TRUE(VerifyEventBuffer(verifier));
  const Event* event = GetEvent(builder.GetBufferPointer());
  EXPECT_EQ(event->run_id()->str(), "r1");
  EXPECT_EQ(event->seq(), 7u);
  EXPECT_EQ(event->at_ms(), 1700000000123);
  EXPECT_EQ(event->body_type(), type);
  return event;
}

TEST(EventSchemaTest, UnionTagsNeverChange) {
  EXPECT_EQ(static_cast<int>(Body::RunStarted), 1);
  EXPECT_EQ(static_cast<int>(Body::StepStarted), 2);
  EXPECT_EQ(static_cast<int>(Body::StepCompleted), 3);
  EXPECT_EQ(static_cast<int>(Body::StepFailed), 4);
  EXPECT_EQ(static_cast<int>(Body::ApprovalRequested), 5);
  EXPECT_EQ(static_cast<int>(Body::ApprovalDecided), 6);
  EXPECT_EQ(static_cast<int>(Body::CommentAdded), 7);
  EXPECT_EQ(static_cast<int>(Body::RunCompleted), 8);
  EXPECT_EQ(static_cast<int>(Body::RunFailed), 9);
  EXPECT_EQ(static_cast<int>(Body::RunCancelled), 10);
  EXPECT_EQ(static_cast<int>(Body::UserAdded), 11);
  EXPECT_EQ(static_cast<int>(Body::UserGroupsChanged), 12);
  EXPECT_EQ(static_cast<int>(Body::UserRemoved), 13);
  EXPECT_EQ(static_cast<int>(Body::TokenIssued), 14);
  EXPECT_EQ(static_cast<int>(Body::TokenRevoked), 15);
  EXPECT_EQ(static_cast<int>(Body::ApprovalTimedOut), 16);
  EXPECT_EQ(static_cast<int>(Body::ApprovalEscalated), 17);
  EXPECT_EQ(static_cast<int>(Body::ApprovalReminded), 18);
  EXPECT_EQ(static_cast<int>(Body::RunRetried), 19);
  EXPECT_EQ(Body::MAX, Body::RunRetried) << "a new event type needs a round trip test here";
  EXPECT_EQ(static_cast<int>(TimeoutAction::Fail), 0);
  EXPECT_EQ(static_cast<int>(TimeoutAction::Approve), 1);
  EXPECT_EQ(static_cast<int>(TimeoutAction::Reject), 2);
  EXPECT_EQ(static_cast<int>(Decision::Approve), 0);
  EXPECT_EQ(static_cast<int>(Decision::Reject), 1);
}

TEST(EventSchemaTest, RunStartedRoundTrip) {
  flatbuffers::FlatBufferBuilder builder;
  auto body = CreateRunStartedDirect(builder, "refund", 3, R"({"amount":10})", "idem-1");
  const RunStarted* read =
      FinishAndVerify(builder, Body::RunStarted, body.Union())->body_as_RunStarted();
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->workflow()->str(), "refund");
  EXPECT_EQ(read->version(), 3u);
  EXPECT_EQ(read->input()->str(), R"({"amount":10})");
  EXPECT_EQ(read->idempotency_key()->str(), "idem-1");
}

TEST(EventSchemaTest, ApprovalTimedOutRoundTrip) {
  flatbuffers::FlatBufferBuilder builder;
  auto body = CreateApprovalTimedOutDirect(builder, "run_1.5", TimeoutAction::Reject);
  const ApprovalTimedOut* read =
      FinishAndVerify(builder, Body::ApprovalTimedOut, body.Union())->body_as_ApprovalTimedOut();
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->approval_id()->str(), "run_1.5");
  EXPECT_EQ(read->action(), TimeoutAction::Reject);
}

TEST(EventSchemaTest, ApprovalEscalatedRoundTrip) {
  flatbuffers::FlatBufferBuilder builder;
  auto body = CreateApprovalEscalatedDirect(builder, "run_1.5", 2, 77, 55);
  const ApprovalEscalated* read =
      FinishAndVerify(builder, Body::ApprovalEscalated, body.Union())->body_as_ApprovalEscalated();
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->approval_id()->str(), "run_1.5");
  EXPECT_EQ(read->rung(), 2u);
  EXPECT_EQ(read->due_at_ms(), 77);
  EXPECT_EQ(read->remind_at_ms(), 55);
}

TEST(EventSchemaTest, ApprovalRemindedRoundTrip) {
  flatbuffers::FlatBufferBuilder builder;
  auto body = CreateApprovalRemindedDirect(builder, "run_1.5", 1);
  const ApprovalReminded* read =
      FinishAndVerify(builder, Body::ApprovalReminded, body.Union())->body_as_ApprovalReminded();
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->approval_id()->str(), "run_1.5");
  EXPECT_EQ(read->rung(), 1u);
}

TEST(EventSchemaTest, RunRetriedRoundTrip) {
  flatbuffers::FlatBufferBuilder builder;
  auto body = CreateRunRetriedDirect(builder, "alice", "pay", Channel::Rest, "req-1");
  const RunRetried* read =
      FinishAndVerify(builder, Body::RunRetried, body.Union())->body_as_RunRetried();
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->by()->str(), "alice");
  EXPECT_EQ(read->step_id()->str(), "pay");
  EXPECT_EQ(read->channel(), Channel::Rest);
  EXPECT_EQ(read->request_id()->str(), "req-1");
}

TEST(EventSchemaTest, StepFailedKeepsWhenItsRetryStarts) {
  flatbuffers::FlatBufferBuilder builder;
  auto body = CreateStepFailedDirect(builder, "pay", 2, "HTTP 503", true, 1234);
  const StepFailed* read =
      FinishAndVerify(builder, Body::StepFailed, body.Union())->body_as_StepFailed();
  ASSERT_NE(read, nullptr);
  EXPECT_TRUE(read->will_retry());
  EXPECT_EQ(read->retry_at_ms(), 1234);
}

TEST(EventSchemaTest, ApprovalRequestedKeepsItsTimersAndQuorums) {
  flatbuffers::FlatBufferBuilder builder;
  auto body =
      CreateApprovalRequestedDirect(builder, "run_1.5", "review", "ok?", "{}", 42, 2, 3, 21);
  const ApprovalRequested* read =
      FinishAndVerify(builder, Body::ApprovalRequested, body.Union())->body_as_ApprovalRequested();
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->due_at_ms(), 42);
  EXPECT_EQ(read->quorum(), 2u);
  EXPECT_EQ(read->reject_quorum(), 3u);
  EXPECT_EQ(read->remind_at_ms(), 21);
}

TEST(EventSchemaTest, StepStartedRoundTrip) {
  flatbuffers::FlatBufferBuilder builder;
  auto body = CreateStepStartedDirect(builder, "charge", 2);
  const StepStarted* read =
      FinishAndVerify(builder, Body::StepStarted, body.Union())->body_as_StepStarted();
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->step_id()->str(), "charge");
  EXPECT_EQ(read->attempt(), 2u);
}

TEST(EventSchemaTest, StepCompletedRoundTrip) {
  flatbuffers::FlatBufferBuilder builder;
  auto body = CreateStepCompletedDirect(builder, "charge", R"({"ok":true})", "end");
  const StepCompleted* read =
      FinishAndVerify(builder, Body::StepCompleted, body.Union())->body_as_StepCompleted();
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->step_id()->str(), "charge");
  EXPECT_EQ(read->output()->str(), R"({"ok":true})");
  EXPECT_EQ(read->next()->str(), "end");
}

TEST(EventSchemaTest, StepFailedRoundTrip) {
  flatbuffers::FlatBufferBuilder builder;
  auto body = CreateStepFailedDirect(builder, "charge", 3, "timeout", true);
  const StepFailed* read =
      FinishAndVerify(builder, Body::StepFailed, body.Union())->body_as_StepFailed();
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->step_id()->str(), "charge");
  EXPECT_EQ(read->attempt(), 3u);
  EXPECT_EQ(read->error()->str(), "timeout");
  EXPECT_TRUE(read->will_retry());
}

TEST(EventSchemaTest, ApprovalRequestedRoundTrip) {
  flatbuffers::FlatBufferBuilder builder;
  auto body =
      CreateApprovalRequestedDirect(builder, "a1", "review", "Refund 10?", R"({"amount":10})");
  const ApprovalRequested* read =
      FinishAndVerify(builder, Body::ApprovalRequested, body.Union())->body_as_ApprovalRequested();
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->approval_id()->str(), "a1");
  EXPECT_EQ(read->step_id()->str(), "review");
  EXPECT_EQ(read->message()->str(), "Refund 10?");
  EXPECT_EQ(read->show()->str(), R"({"amount":10})");
}

TEST(EventSchemaTest, ApprovalDecidedRoundTrip) {
  flatbuffers::FlatBufferBuilder builder;
  auto body = CreateApprovalDecidedDirect(builder, "a1", Decision::Reject, "alice", "too much");
  const ApprovalDecided* read =
      FinishAndVerify(builder, Body::ApprovalDecided, body.Union())->body_as_ApprovalDecided();
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->approval_id()->str(), "a1");
  EXPECT_EQ(read->decision(), Decision::Reject);
  EXPECT_EQ(read->reviewer()->str(), "alice");
  EXPECT_EQ(read->comment()->str(), "too much");
}

TEST(EventSchemaTest, CommentAddedRoundTrip) {
  flatbuffers::FlatBufferBuilder builder;
  auto body = CreateCommentAddedDirect(builder, "a1", "bob", "why?");
  const CommentAdded* read =
      FinishAndVerify(builder, Body::CommentAdded, body.Union())->body_as_CommentAdded();
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->approval_id()->str(), "a1");
  EXPECT_EQ(read->author()->str(), "bob");
  EXPECT_EQ(read->text()->str(), "why?");
}

TEST(EventSchemaTest, RunCompletedRoundTrip) {
  flatbuffers::FlatBufferBuilder builder;
  auto body = CreateRunCompletedDirect(builder, "[1,2]");
  const RunCompleted* read =
      FinishAndVerify(builder, Body::RunCompleted, body.Union())->body_as_RunCompleted();
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->output()->str(), "[1,2]");
}

TEST(EventSchemaTest, RunFailedRoundTrip) {
  flatbuffers::FlatBufferBuilder builder;
  auto body = CreateRunFailedDirect(builder, "step charge failed");
  const RunFailed* read =
      FinishAndVerify(builder, Body::RunFailed, body.Union())->body_as_RunFailed();
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->error()->str(), "step charge failed");
}

TEST(EventSchemaTest, RunCancelledRoundTrip) {
  flatbuffers::FlatBufferBuilder builder;
  auto body = CreateRunCancelledDirect(builder, "carol", "duplicate");
  const RunCancelled* read =
      FinishAndVerify(builder, Body::RunCancelled, body.Union())->body_as_RunCancelled();
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->by()->str(), "carol");
  EXPECT_EQ(read->reason()->str(), "duplicate");
}

TEST(EventSchemaTest, VerifierRejectsTruncatedBuffer) {
  flatbuffers::FlatBufferBuilder builder;
  auto body = CreateRunFailedDirect(builder, "boom");
  builder.Finish(CreateEventDirect(builder, "r1", 1, 0, Body::RunFailed, body.Union()));
  flatbuffers::Verifier verifier(builder.GetBufferPointer(), builder.GetSize() / 2);
  EXPECT_FALSE(VerifyEventBuffer(verifier));
}

TEST(EventSchemaTest, UserAddedRoundTrip) {
  flatbuffers::FlatBufferBuilder builder;
  auto groups = builder.CreateVectorOfStrings(std::vector<std::string>{"finance", "ops"});
  auto body = CreateUserAdded(builder, builder.CreateString("alice"), groups, true, false,
                              builder.CreateString("admin"));
  const UserAdded* read =
      FinishAndVerify(builder, Body::UserAdded, body.Union())->body_as_UserAdded();
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->user_id()->str(), "alice");
  ASSERT_EQ(read->groups()->size(), 2u);
  EXPECT_EQ(read->groups()->Get(1)->str(), "ops");
  EXPECT_TRUE(read->service());
  EXPECT_FALSE(read->admin());
  EXPECT_EQ(read->by()->str(), "admin");
}

TEST(EventSchemaTest, UserGroupsChangedRoundTrip) {
  flatbuffers::FlatBufferBuilder builder;
  auto groups = builder.CreateVectorOfStrings(std::vector<std::string>{"audit"});
  auto body = CreateUserGroupsChanged(builder, builder.CreateString("alice"), groups,
                                      builder.CreateString("root"));
  const UserGroupsChanged* read =
      FinishAndVerify(builder, Body::UserGroupsChanged, body.Union())
          ->body_as_UserGroupsChanged();
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->user_id()->str(), "alice");
  EXPECT_EQ(read->groups()->Get(0)->str(), "audit");
  EXPECT_EQ(read->by()->str(), "root");
}

TEST(EventSchemaTest, UserRemovedRoundTrip) {
  flatbuffers::FlatBufferBuilder builder;
  auto body = CreateUserRemovedDirect(builder, "alice", "root");
  const UserRemoved* read =
      FinishAndVerify(builder, Body::UserRemoved, body.Union())->body_as_UserRemoved();
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->user_id()->str(), "alice");
  EXPECT_EQ(read->by()->str(), "root");
}

TEST(EventSchemaTest, TokenIssuedRoundTrip) {
  flatbuffers::FlatBufferBuilder builder;
  std::vector<uint8_t> hash(32, 0xab);
  auto body = CreateTokenIssuedDirect(builder, "0123456789abcdef", "alice", "laptop", &hash,
                                      1700000000999, "admin");
  const TokenIssued* read =
      FinishAndVerify(builder, Body::TokenIssued, body.Union())->body_as_TokenIssued();
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->token_id()->str(), "0123456789abcdef");
  EXPECT_EQ(read->user_id()->str(), "alice");
  EXPECT_EQ(read->name()->str(), "laptop");
  ASSERT_EQ(read->secret_sha256()->size(), 32u);
  EXPECT_EQ(read->secret_sha256()->Get(31), 0xab);
  EXPECT_EQ(read->expires_at_ms(), 1700000000999);
  EXPECT_EQ(read->by()->str(), "admin");
}

TEST(EventSchemaTest, TokenRevokedRoundTrip) {
  flatbuffers::FlatBufferBuilder builder;
  auto body = CreateTokenRevokedDirect(builder, "0123456789abcdef", "alice");
  const TokenRevoked* read =
      FinishAndVerify(builder, Body::TokenRevoked, body.Union())->body_as_TokenRevoked();
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->token_id()->str(), "0123456789abcdef");
  EXPECT_EQ(read->by()->str(), "alice");
}

}  // namespace
}  // namespace assent::fb
