// How comments are stored: each is its own approval-comments entry beside its event, and the
// approval's record is not written again for a comment after the first, so adding a comment
// writes O(its size), however many came before (20 comments of 1 MiB once grew a data dir by
// 230 MB: every comment rewrote the record holding all the others). Every view still shows
// them all, in order, also after a restart, and every run passes the replay check.
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/engine.h"
#include "engine/internal/open_engine.h"
#include "storage/mem_event_log.h"
#include "tests/engine/engine_fixture.h"
#include "tests/engine/replay_check.h"

namespace assent::engine {
namespace {

using engine_testing::AsAdmin;
using engine_testing::kAdmin;
using engine_testing::ActorNamed;
using engine_testing::Await;

// What one Append wrote.
struct Written {
  size_t bytes = 0;             // records and index values
  size_t approval_records = 0;  // approvals-by-status entries put
};

// An EventLog that forwards to a MemEventLog and notes what each Append writes.
class CountingLog final : public storage::EventLog {
 public:
  void Append(storage::AppendBatch batch, storage::AppendCallback done) override {
    Written written;
    for (const storage::Record& record : batch.records) written.bytes += record.bytes.size();
    for (const storage::IndexOp& op : batch.index_ops) {
      if (!op.value) continue;
      written.bytes += op.key.size() + op.value->size();
      if (op.index == storage::Index::kApprovalsByStatus) ++written.approval_records;
    }
    {
      std::lock_guard lock(mutex_);
      appends_.push_back(written);
    }
    inner_.Append(std::move(batch), std::move(done));
  }
  Status ReadRun(std::string_view run_id, uint64_t from_seq,
                 std::vector<std::string>* records) override {
    return inner_.ReadRun(run_id, from_seq, records);
  }
  Status GetIndex(storage::Index index, std::string_view key, std::string* value) override {
    return inner_.GetIndex(index, key, value);
  }
  Status ScanIndex(
      storage::Index index, std::string_view prefix,
      const std::function<bool(std::string_view, std::string_view)>& visit) override {
    return inner_.ScanIndex(index, prefix, visit);
  }
  Status ScanIndexReverse(
      storage::Index index, std::string_view prefix, std::string_view before,
      const std::function<bool(std::string_view, std::string_view)>& visit) override {
    return inner_.ScanIndexReverse(index, prefix, before, visit);
  }
  uint64_t LastPosition() override { return inner_.LastPosition(); }
  Status ScanIndexFrom(
      storage::Index index, std::string_view prefix, std::string_view from,
      const std::function<bool(std::string_view, std::string_view)>& visit) override {
    return inner_.ScanIndexFrom(index, prefix, from, visit);
  }
  Status PutDefinition(std::string_view name, uint32_t version, std::string_view json) override {
    return inner_.PutDefinition(name, version, json);
  }
  Status Health() override { return inner_.Health(); }
  Status ScanDefinitions(
      const std::function<void(std::string_view, uint32_t, std::string_view)>& visit) override {
    return inner_.ScanDefinitions(visit);
  }

  std::vector<Written> TakeAppends() {
    std::lock_guard lock(mutex_);
    return std::exchange(appends_, {});
  }
  storage::MemEventLog& inner() { return inner_; }

 private:
  storage::MemEventLog inner_;
  std::mutex mutex_;
  std::vector<Written> appends_;
};

class CommentStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Reopen();
    // A large shown value: were the record rewritten for each comment, it would show.
    auto applied = engine_->ApplyWorkflow(kAdmin, "review", boost::json::parse(R"({"steps": [
      {"id": "ask", "type": "approval", "message": "ok?", "show": {"doc": "{{input.doc}}"}}]})"));
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  }

  void TearDown() override {
    engine_.reset();
    for (const auto& [run_id, live] : live_.Take()) EXPECT_TRUE(MatchesReplay(live, log_.inner()));
  }

  void Reopen() {
    engine_.reset();
    auto opened = OpenEngine(log_, EngineOptions{}, EngineHooks{.observer = &live_});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    engine_ = std::move(opened).value();
  }

  std::string StartWaiting(size_t shown_bytes) {
    boost::json::object input{{"doc", std::string(shown_bytes, 'd')}};
    auto started = Await<StartRunResult>(
        [&](auto done) { engine_->StartRun(AsAdmin(StartRunCommand{"review", input}), done); });
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    auto run = engine_->GetRun(kAdmin, started->run_id);
    EXPECT_EQ(run->pending_approvals.size(), 1u);
    return run->pending_approvals.at(0).id;
  }

  Result<ApprovalView> Comment(const std::string& approval_id, const std::string& text) {
    return Await<ApprovalView>([&](auto done) {
      engine_->AddComment(CommentCommand{approval_id, ActorNamed("carol"), text}, done);
    });
  }

  CountingLog log_;
  LiveStates live_;
  std::unique_ptr<Engine> engine_;
};

std::string CommentText(int i) { return std::to_string(i) + ":" + std::string(2'000, 'c'); }

TEST_F(CommentStorageTest, ACommentWritesItselfNotTheOnesBeforeIt) {
  std::string approval_id = StartWaiting(50'000);
  log_.TakeAppends();
  // 100 comments: past a snapshot (every 64 events), which must not hold them either.
  constexpr int kComments = 100;
  for (int i = 0; i < kComments; ++i) {
    auto commented = Comment(approval_id, CommentText(i));
    ASSERT_TRUE(commented.ok()) << commented.status().ToString();
    ASSERT_EQ(commented->comments.size(), static_cast<size_t>(i + 1)) << "the answer shows all";
  }
  std::vector<Written> appends = log_.TakeAppends();
  ASSERT_EQ(appends.size(), static_cast<size_t>(kComments));
  EXPECT_EQ(appends[0].approval_records, 1u) << "the first comment makes the record count them";
  for (int i = 1; i < kComments; ++i) {
    EXPECT_EQ(appends[i].approval_records, 0u) << "comment " << i << " rewrote the record";
    // The event and the comment's entry, plus a snapshot once (the run's input and shown
    // value, 100 KB, but none of the comments).
    size_t bound = 2 * CommentText(i).size() + 1'000 + (appends[i].bytes > 10'000 ? 110'000 : 0);
    EXPECT_LE(appends[i].bytes, bound) << "comment " << i;
  }
  size_t snapshots = 0;
  for (const Written& written : appends) snapshots += written.bytes > 10'000;
  EXPECT_LE(snapshots, 2u);
}

TEST_F(CommentStorageTest, EveryViewShowsEveryCommentInOrderAlsoAfterARestart) {
  std::string approval_id = StartWaiting(10);
  constexpr int kComments = 70;  // past a snapshot
  for (int i = 0; i < kComments; ++i) ASSERT_TRUE(Comment(approval_id, CommentText(i)).ok());

  auto expect_all = [&](const ApprovalView& approval, const std::string& where) {
    ASSERT_EQ(approval.comments.size(), static_cast<size_t>(kComments)) << where;
    for (int i = 0; i < kComments; ++i) {
      EXPECT_EQ(approval.comments[i].text, CommentText(i)) << where << ", comment " << i;
      EXPECT_EQ(approval.comments[i].author, "carol");
    }
  };
  for (int round = 0; round < 2; ++round) {
    std::string when = round == 0 ? "live" : "after a restart";
    expect_all(*engine_->GetApproval(kAdmin, approval_id), "GetApproval, " + when);
    auto listed = engine_->ListApprovals(kAdmin, {.status = ApprovalStatus::kPending});
    ASSERT_EQ(listed->approvals.size(), 1u);
    expect_all(listed->approvals.at(0), "ListApprovals, " + when);
    auto run = engine_->GetRun(kAdmin, approval_id.substr(0, approval_id.rfind('.')));
    expect_all(run->pending_approvals.at(0), "GetRun, " + when);
    Reopen();
  }
  // The run, evicted and reloaded from its snapshot and the comments' entries, decides.
  auto decided = Await<ApprovalView>([&](auto done) {
    engine_->Decide(
        DecideCommand{approval_id, Decision::kApprove, ActorNamed("alice"), "ok"}, done);
  });
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  expect_all(*decided, "the decision's answer");
  auto approved = engine_->ListApprovals(kAdmin, {.status = ApprovalStatus::kApproved});
  ASSERT_EQ(approved->approvals.size(), 1u);
  expect_all(approved->approvals.at(0), "ListApprovals after the decision");
}

}  // namespace
}  // namespace assent::engine
