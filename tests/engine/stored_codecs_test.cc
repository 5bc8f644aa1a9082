// The codecs of what the engine stores beside the log (approval records, run snapshots, index
// keys): round trips of every field, and every way bytes can be wrong is Corruption or
// nullopt, never a crash or a silently wrong value.
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "engine/internal/approval_record.h"
#include "engine/internal/index_keys.h"
#include "engine/internal/run_snapshot.h"
#include "engine/internal/stored_table.h"
#include "schemas/state_generated.h"
#include "tests/engine/kept_comments.h"
#include "tests/engine/run_state_printer.h"

namespace assent::engine {
namespace {

namespace json = boost::json;

ApprovalView SampleApproval() {
  ApprovalView approval;
  approval.id = "run_1.4";
  approval.run_id = "run_1";
  approval.workflow = "invoice";
  approval.step_id = "review";
  approval.status = ApprovalStatus::kRejected;
  approval.message = "Pay 7200?\nSee below.";
  approval.show = json::parse(R"({"amount": 7200, "lines": [1, 2], "note": "caf\u00e9"})").as_object();
  approval.decisions.push_back({Decision::kReject, "alice", "not ours", 1700000000123});
  DecisionView edited{Decision::kApprove, "dave", "with a fix", 1700000000124};
  edited.edits = json::parse(R"({"amount": 6500})").as_object();
  edited.edit_diff =
      json::parse(R"([{"path": "/amount", "op": "changed", "before": 7200, "after": 6500}])")
          .as_array();
  approval.decisions.push_back(std::move(edited));
  approval.comments.push_back({"bob", "hm", 1700000000100});
  approval.requested_at_ms = 1700000000000;
  approval.version = 3;  // the run's, as Apply copies them
  approval.started_by = "carol";
  approval.due_at_ms = 1700000360000;
  approval.quorum = 2;
  approval.reject_quorum = 1;
  approval.rung = 1;
  approval.remind_at_ms = 1700000100000;
  return approval;
}

// Every field of RunState away from its default.
RunState SampleState() {
  RunState state;
  state.run_id = "run_1";
  state.workflow = "invoice";
  state.version = 3;
  state.idempotency_key = "k-1";
  state.started_by = "carol";
  state.status = RunStatus::kWaiting;
  state.input = json::parse(R"({"amount": 7200})").as_object();
  state.steps = json::parse(R"({"extract": {"amount": 7200}})").as_object();
  state.last_output = json::parse(R"([1, "two", null])");
  state.cursor = "pay";
  state.attempt = 2;
  state.visit_seq = 5;
  state.failures = 1;
  state.step_in_flight = true;
  state.retry_pending = true;
  state.approvals = {SampleApproval()};
  state.output = json::value(nullptr);  // present, and null: unlike absent
  state.error = "HTTP 503";
  state.last_seq = 9;
  state.started_at_ms = 1700000000000;
  state.updated_at_ms = 1700000000999;
  return state;
}

// What the approval-comments index holds for the samples.
CommentSource SampleComments() {
  static KeptComments kept;
  kept.Keep(SampleApproval());
  return kept.Source();
}

// A source with nothing to give: decoding must not ask it.
Result<std::vector<CommentView>> NoComments(const ApprovalView& approval, CommentsWanted) {
  return Status::Corruption("no comments for " + approval.id);
}

TEST(StoredCodecsTest, AnApprovalRecordRoundTrips) {
  Result<ApprovalView> decoded =
      DecodeApprovalRecord(EncodeApprovalRecord(SampleApproval()), SampleComments());
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, SampleApproval());
}

TEST(StoredCodecsTest, ASnapshotRoundTripsEveryField) {
  Result<RunState> decoded = DecodeSnapshot(EncodeSnapshot(SampleState()), SampleComments());
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, SampleState());
  RunState without_output = SampleState();
  without_output.output.reset();
  EXPECT_EQ(*DecodeSnapshot(EncodeSnapshot(without_output), SampleComments()), without_output);
}

// A step's output computed in Lua (an amount divided by 7) is a double that Boost.JSON 1.81's
// own parser reads back one unit in the last place off; the snapshot keeps it exactly.
TEST(StoredCodecsTest, ASnapshotKeepsEveryDoubleExactly) {
  RunState state = SampleState();
  state.steps["share"] = 90747.31690196229;
  state.last_output = 1.0004444444444444e48;
  Result<RunState> decoded = DecodeSnapshot(EncodeSnapshot(state), SampleComments());
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, state);
}

TEST(StoredCodecsTest, BytesReadStraightFromAnUnalignedBufferDecode) {
  std::string encoded = EncodeSnapshot(SampleState());
  std::string shifted = "x" + encoded;  // the table starts at an odd address
  Result<RunState> decoded = DecodeSnapshot(std::string_view(shifted).substr(1), SampleComments());
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, SampleState());
}

TEST(StoredCodecsTest, WrongOrDamagedBytesAreCorruption) {
  std::string record = EncodeApprovalRecord(SampleApproval());
  std::string snapshot = EncodeSnapshot(SampleState());
  for (const std::string& bad :
       {std::string(), std::string("{\"id\": \"run_1.4\"}"), record.substr(0, record.size() / 2),
        snapshot /* a snapshot is not an approval record */}) {
    EXPECT_EQ(DecodeApprovalRecord(bad, NoComments).status().code(), StatusCode::kCorruption);
  }
  for (const std::string& bad :
       {std::string(), snapshot.substr(0, snapshot.size() / 2), record}) {
    EXPECT_EQ(DecodeSnapshot(bad, NoComments).status().code(), StatusCode::kCorruption);
  }
}

// An approval record built field by field, to store what the encoder never would.
std::string RawRecord(uint8_t status, fb::Decision decision, std::string_view show) {
  flatbuffers::FlatBufferBuilder builder;
  std::vector<flatbuffers::Offset<fb::DecisionRecord>> decisions = {
      fb::CreateDecisionRecord(builder, decision, builder.CreateString("a"))};
  builder.Finish(fb::CreateApprovalRecord(builder, builder.CreateString("run_1.4"),
                                          builder.CreateString("run_1"), 0,
                                          static_cast<fb::ApprovalStatus>(status), 0,
                                          StoreText(builder, show), builder.CreateVector(decisions)),
                 "AAPR");
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()),
                     builder.GetSize());
}

TEST(StoredCodecsTest, ValuesOutOfRangeAreCorruption) {
  EXPECT_TRUE(DecodeApprovalRecord(RawRecord(1, fb::Decision::Approve, "{}"), NoComments).ok());
  EXPECT_EQ(DecodeApprovalRecord(RawRecord(9, fb::Decision::Approve, "{}"), NoComments).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(DecodeApprovalRecord(RawRecord(1, static_cast<fb::Decision>(7), "{}"), NoComments).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(DecodeApprovalRecord(RawRecord(1, fb::Decision::Approve, "{oops"), NoComments).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(DecodeApprovalRecord(RawRecord(1, fb::Decision::Approve, "[1]"), NoComments).status().code(),
            StatusCode::kCorruption);
}

// Comments are not in the record (adding one must not rewrite the others): it counts them, and
// the decoder takes them from the source, the snapshot's exactly as many as it had, an
// approvals-index record's all there are now (comments after the first do not rewrite it).
TEST(StoredCodecsTest, RecordsCountCommentsAndTakeThemFromTheSource) {
  ApprovalView approval = SampleApproval();
  approval.comments.push_back({"carol", std::string(10'000, 'x'), 1700000000200});
  std::string record = EncodeApprovalRecord(approval);
  EXPECT_LT(record.size(), 1'000u) << "the comments' text is not in the record";

  KeptComments kept;
  ApprovalView later = approval;
  later.comments.push_back({"dave", "one more", 1700000000300});
  kept.Keep(later);
  Result<ApprovalView> decoded = DecodeApprovalRecord(record, kept.Source());
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, later);

  RunState state = SampleState();
  state.approvals = {approval};
  Result<RunState> snapshot = DecodeSnapshot(EncodeSnapshot(state), kept.Source());
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  EXPECT_EQ(*snapshot, state);

  EXPECT_EQ(DecodeApprovalRecord(record, NoComments).status().code(), StatusCode::kCorruption);
  KeptComments too_few;
  too_few.Keep(SampleApproval());  // one comment where the record counts two
  EXPECT_EQ(DecodeSnapshot(EncodeSnapshot(state), too_few.Source()).status().code(),
            StatusCode::kCorruption);
}

TEST(StoredCodecsTest, ACommentRecordRoundTrips) {
  CommentView comment{"bob", std::string("caf\xc3\xa9 \0 bytes", 14), -5};
  Result<CommentView> decoded = DecodeCommentRecord(EncodeCommentRecord(comment));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, comment);
  for (const std::string& bad : {std::string(), EncodeApprovalRecord(SampleApproval()),
                                 EncodeCommentRecord(comment).substr(0, 10)}) {
    EXPECT_EQ(DecodeCommentRecord(bad).status().code(), StatusCode::kCorruption);
  }
}

TEST(StoredCodecsTest, ApprovalCommentKeysSortByOrdinalAndRoundTrip) {
  std::string first = ApprovalCommentKey("run_1.4", 1);
  std::string second = ApprovalCommentKey("run_1.4", 256);
  EXPECT_LT(first, second);
  EXPECT_TRUE(second.starts_with(ApprovalCommentsPrefix("run_1.4")));
  EXPECT_FALSE(ApprovalCommentKey("run_1.41", 0).starts_with(ApprovalCommentsPrefix("run_1.4")));
  auto parts = DecodeApprovalCommentKey(second);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->approval_id, "run_1.4");
  EXPECT_EQ(parts->ordinal, 256u);
  for (std::string_view bad : {std::string_view(""), std::string_view("run_1.4"),
                               std::string_view("\0\0\0\0\1", 5)}) {
    EXPECT_FALSE(DecodeApprovalCommentKey(bad).has_value()) << bad;
  }
}

TEST(StoredCodecsTest, IndexKeysRoundTripAndRefuseWhatIsNotOne) {
  std::string runs = RunsByStatusKey(RunStatus::kWaiting, "run_1");
  auto run = DecodeRunsByStatusKey(runs);
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->status, RunStatus::kWaiting);
  EXPECT_EQ(run->id, "run_1");
  EXPECT_TRUE(runs.starts_with(RunsByStatusPrefix(RunStatus::kWaiting)));

  // A decoded key views the key's bytes, so each key outlives what is decoded from it.
  std::string approvals = ApprovalsByStatusKey(ApprovalStatus::kPending, "a.2");
  auto approval = DecodeApprovalsByStatusKey(approvals);
  ASSERT_TRUE(approval.has_value());
  EXPECT_EQ(approval->status, ApprovalStatus::kPending);
  EXPECT_EQ(approval->id, "a.2");

  constexpr std::string_view kKeyWithNul("key\0with nul", 12);
  std::string start_key = StartKey("invoice", kKeyWithNul);
  auto start = DecodeStartKey(start_key);
  ASSERT_TRUE(start.has_value());
  EXPECT_EQ(start->workflow, "invoice");
  EXPECT_EQ(start->idempotency_key, kKeyWithNul);

  EXPECT_FALSE(DecodeRunsByStatusKey("").has_value());
  EXPECT_FALSE(DecodeRunsByStatusKey(std::string(1, '\x02')).has_value()) << "no id";
  EXPECT_FALSE(DecodeRunsByStatusKey(std::string("\x09run_1")).has_value()) << "no such status";
  EXPECT_FALSE(DecodeApprovalsByStatusKey(std::string("\x06run_1.2")).has_value());

  std::string timer = TimerKey(1'800'000'000'000, "run_1.4");
  auto parts = DecodeTimerKey(timer);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->due_at_ms, 1'800'000'000'000);
  EXPECT_EQ(parts->timer_id, "run_1.4");
  EXPECT_LT(TimerKey(999, "z"), TimerKey(1000, "a")) << "due time orders first";
  EXPECT_FALSE(DecodeTimerKey(std::string(8, '\0')).has_value()) << "no timer id";
  EXPECT_FALSE(DecodeTimerKey(std::string(8, '\xff') + "a").has_value()) << "negative";
  EXPECT_FALSE(DecodeStartKey("no separator").has_value());
  EXPECT_FALSE(DecodeStartKey(std::string("\0key", 4)).has_value()) << "no workflow";
}

TEST(StoredCodecsTest, ASnapshotIsDueWhenACommitCrossesAMultipleOfTheInterval) {
  EXPECT_FALSE(SnapshotDue(0, kSnapshotEvery - 1));
  EXPECT_TRUE(SnapshotDue(kSnapshotEvery - 1, kSnapshotEvery));
  EXPECT_TRUE(SnapshotDue(kSnapshotEvery - 3, kSnapshotEvery + 5));
  EXPECT_FALSE(SnapshotDue(kSnapshotEvery, 2 * kSnapshotEvery - 1));
}

}  // namespace
}  // namespace assent::engine
