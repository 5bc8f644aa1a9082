// The audit: every start, decision, comment and cancel gets its entries in the commit that
// records it; pages come newest first with no duplicate or gap while new events arrive;
// filters and the viewer's visibility; the backfill of data dirs written before the index; and
// `assent verify`'s check of the index against the events.
#include "engine/audit.h"

#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/directory.h"
#include "engine/internal/audit_index.h"
#include "engine/internal/audit_queries.h"
#include "engine/internal/index_keys.h"
#include "engine/internal/run_txn.h"
#include "tests/engine/engine_fixture.h"

namespace assent::engine {
namespace {

namespace json = boost::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using engine_testing::ActorNamed;
using engine_testing::Await;
using engine_testing::EngineTest;

const Principal kAdmin{.id = "admin", .groups = {}, .admin = true};

class AuditTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    ApplyReviewFlow();
  }

  // A large invoice started by `who`: it waits for approval. Returns the run id.
  std::string StartBy(const std::string& who, const std::string& workflow = "invoice") {
    auto started = Await<StartRunResult>([&](auto done) {
      engine_->StartRun(
          StartRunCommand{.workflow = workflow,
                          .input = json::parse(R"({"invoice_id": "i", "amount": 9000,
                                                   "vendor": "ACME"})").as_object(),
                          .idempotency_key = "",
                          .actor = ActorNamed(who)},
          done);
    });
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    return started.ok() ? started->run_id : "";
  }
  std::string ApprovalOf(const std::string& run_id) {
    RunView run = Run(run_id);
    return run.pending_approvals.empty() ? "" : run.pending_approvals[0].id;
  }
  void Decide(const std::string& approval_id, const std::string& who, Decision decision,
              const std::string& comment) {
    auto decided = Await<ApprovalView>([&](auto done) {
      engine_->Decide(DecideCommand{approval_id, decision, ActorNamed(who), comment}, done);
    });
    ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  }
  void Comment(const std::string& approval_id, const std::string& who, const std::string& text) {
    auto added = Await<ApprovalView>([&](auto done) {
      engine_->AddComment(CommentCommand{approval_id, ActorNamed(who), text}, done);
    });
    ASSERT_TRUE(added.ok()) << added.status().ToString();
  }
  void Cancel(const std::string& run_id, const std::string& who, const std::string& reason) {
    auto cancelled = Await<RunView>([&](auto done) {
      engine_->Cancel(CancelCommand{run_id, ActorNamed(who), reason}, done);
    });
    ASSERT_TRUE(cancelled.ok()) << cancelled.status().ToString();
  }

  AuditPage List(AuditQuery query, const Principal& viewer = kAdmin) {
    auto page = engine_->ListAudit(query, viewer);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? *page : AuditPage{};
  }
  // Every entry of `query`, following the cursor; `between` runs after each page.
  std::vector<AuditEntry> ListAll(AuditQuery query, const std::function<void()>& between = {}) {
    std::vector<AuditEntry> all;
    for (int pages = 0; pages < 1000; ++pages) {
      AuditPage page = List(query);
      all.insert(all.end(), page.entries.begin(), page.entries.end());
      if (page.next.empty()) return all;
      query.after = page.next;
      if (between) between();
    }
    ADD_FAILURE() << "the cursor never ended";
    return all;
  }
  static std::vector<std::string> Actions(const std::vector<AuditEntry>& entries) {
    std::vector<std::string> actions;
    for (const AuditEntry& entry : entries) actions.push_back(entry.actor + " " + entry.action);
    return actions;
  }
  // The audit index's keys, all of them.
  std::vector<std::string> AuditKeys() {
    std::vector<std::string> keys;
    Status scanned = log_.ScanIndex(storage::Index::kAudit, "", [&](auto key, auto) {
      keys.emplace_back(key);
      return true;
    });
    EXPECT_TRUE(scanned.ok());
    return keys;
  }
};

TEST(AuditTxnTest, AnAuditableEventsEntriesAreInTheBatchThatRecordsIt) {
  RunState state;
  RunTxn txn = RunTxn::NewRun("run_1", state, 1'000);
  fb::RunStartedT started;
  started.workflow = "invoice";
  started.started_by = "alice";
  txn.Emit(std::move(started));
  fb::StepCompletedT step;  // not auditable
  step.step_id = "extract";
  step.next = "end";
  txn.Emit(std::move(step));
  storage::AppendBatch batch = txn.Finish();

  std::string position = EncodeAuditPosition({1'000, "run_1", 1});
  std::vector<std::string> keys;
  for (const storage::IndexOp& op : batch.index_ops) {
    if (op.index != storage::Index::kAudit) continue;
    keys.push_back(op.key);
    auto facts = DecodeAuditRecord(*op.value);
    ASSERT_TRUE(facts.ok());
    EXPECT_EQ(*facts, (AuditFacts{fb::Body::RunStarted, "invoice", "alice"}));
  }
  EXPECT_THAT(keys, ElementsAre(AuditKey(AuditScope::kEverything, "", position),
                                AuditKey(AuditScope::kWorkflow, "invoice", position),
                                AuditKey(AuditScope::kActor, "alice", position)));
}

TEST_F(AuditTest, EveryStartDecisionCommentAndCancelIsListedOnceNewestFirst) {
  std::string approved = StartBy("svc-billing");
  std::string approval = ApprovalOf(approved);
  Comment(approval, "carol", "checked the vendor");
  Decide(approval, "alice", Decision::kApprove, "ok");
  std::string cancelled = StartBy("svc-billing");
  Cancel(cancelled, "bob", "duplicate");

  // Newest first, by the millisecond (events of different runs within one millisecond are
  // ordered by run id), and within a run by seq.
  std::vector<AuditEntry> all = ListAll({.limit = 2});
  EXPECT_THAT(Actions(all), UnorderedElementsAre("bob run.cancelled", "svc-billing run.started",
                                                 "alice approval.decided", "carol comment.added",
                                                 "svc-billing run.started"));
  for (size_t i = 1; i < all.size(); ++i) EXPECT_GE(all[i - 1].at_ms, all[i].at_ms);
  std::vector<AuditEntry> of_approved = ListAll({.run_id = approved});
  EXPECT_THAT(Actions(of_approved), ElementsAre("alice approval.decided", "carol comment.added",
                                                "svc-billing run.started"));
  EXPECT_THAT(Actions(ListAll({.run_id = cancelled})),
              ElementsAre("bob run.cancelled", "svc-billing run.started"));
  EXPECT_EQ(ListAll({.run_id = cancelled}).front().comment, "duplicate");
  const AuditEntry& decided = of_approved[0];
  EXPECT_EQ(decided.run_id, approved);
  EXPECT_EQ(decided.approval_id, approval);
  EXPECT_EQ(decided.workflow, "invoice");
  EXPECT_EQ(decided.decision, Decision::kApprove);
  EXPECT_EQ(decided.comment, "ok");
  EXPECT_EQ(decided.channel, Channel::kRest);
  EXPECT_EQ(decided.request_id, "t");
  EXPECT_EQ(of_approved[1].comment, "checked the vendor");
  EXPECT_EQ(of_approved[1].approval_id, approval);

  // Exactly the entries the events imply, in every scope: verify folds every run and compares.
  auto report = VerifyLog(log_);
  ASSERT_TRUE(report.ok());
  EXPECT_THAT(report->problems, ElementsAre());
  EXPECT_EQ(AuditKeys().size(), 1 + 5 * 3) << "the marker, and 5 events in 3 scopes each";
}

TEST_F(AuditTest, WhoApprovedThisPaymentIsAnsweredByRunAndByApproval) {
  std::string run_id = StartBy("svc-billing");
  std::string approval = ApprovalOf(run_id);
  Comment(approval, "carol", "fine by me");
  Decide(approval, "alice", Decision::kApprove, "paid");
  StartBy("svc-billing");  // another run: not in these answers

  EXPECT_THAT(Actions(List({.run_id = run_id}).entries),
              ElementsAre("alice approval.decided", "carol comment.added",
                          "svc-billing run.started"));
  EXPECT_THAT(Actions(List({.approval_id = approval}).entries),
              ElementsAre("alice approval.decided", "carol comment.added"));
  EXPECT_THAT(Actions(List({.actor = "alice", .approval_id = approval}).entries),
              ElementsAre("alice approval.decided"));
  EXPECT_THAT(List({.run_id = "run_missing"}).entries, ElementsAre());
  EXPECT_THAT(List({.run_id = "other", .approval_id = approval}).entries, ElementsAre())
      << "an approval of another run";
  // Paged too.
  EXPECT_EQ(ListAll({.run_id = run_id, .limit = 1}).size(), 3u);
}

TEST_F(AuditTest, FiltersByWorkflowActorAndTime) {
  ApplyWorkflow("expenses", engine_testing::kReviewFlow);
  std::string invoice = StartBy("alice");
  std::string expense = StartBy("bob", "expenses");
  Comment(ApprovalOf(expense), "alice", "why so much?");

  EXPECT_THAT(Actions(ListAll({.workflow = "expenses"})),
              ElementsAre("alice comment.added", "bob run.started"));
  // Two runs: within one millisecond their entries are ordered by run id.
  EXPECT_THAT(Actions(ListAll({.actor = "alice"})),
              UnorderedElementsAre("alice comment.added", "alice run.started"));
  EXPECT_THAT(Actions(ListAll({.workflow = "invoice", .actor = "alice"})),
              ElementsAre("alice run.started"));
  EXPECT_THAT(ListAll({.workflow = "invoice", .actor = "bob"}), ElementsAre());
  EXPECT_THAT(ListAll({.actor = "nobody"}), ElementsAre());

  std::vector<AuditEntry> all = ListAll({});
  ASSERT_EQ(all.size(), 3u);
  int64_t newest = all.front().at_ms, oldest = all.back().at_ms;
  EXPECT_EQ(ListAll({.since_ms = newest + 1}).size(), 0u);
  EXPECT_EQ(ListAll({.until_ms = oldest}).size(), 0u) << "until is exclusive";
  EXPECT_EQ(ListAll({.since_ms = oldest}).size(), 3u) << "since is inclusive";
  EXPECT_EQ(ListAll({.since_ms = oldest, .until_ms = newest + 1}).size(), 3u);
  for (const AuditEntry& entry : ListAll({.until_ms = newest})) EXPECT_LT(entry.at_ms, newest);
}

TEST_F(AuditTest, PagesHaveNoDuplicateOrGapWhileNewEventsArrive) {
  std::string run_id = StartBy("alice");
  std::string approval = ApprovalOf(run_id);
  for (int i = 0; i < 20; ++i) Comment(approval, "carol", "before " + std::to_string(i));

  int added = 0;
  std::vector<AuditEntry> paged = ListAll({.limit = 3}, [&] {
    Comment(approval, "dave", "during " + std::to_string(added++));
  });
  EXPECT_GT(added, 5);
  // Exactly what existed at the first page: the start and the 20 comments, newest first.
  ASSERT_EQ(paged.size(), 21u);
  std::set<uint64_t> seqs;
  for (const AuditEntry& entry : paged) seqs.insert(entry.seq);
  EXPECT_EQ(seqs.size(), paged.size()) << "no duplicate";
  for (size_t i = 1; i < paged.size(); ++i) EXPECT_GT(paged[i - 1].seq, paged[i].seq);
  EXPECT_EQ(paged.front().comment, "before 19");
  EXPECT_EQ(paged.back().action, "run.started");
  // And what came meanwhile is on a fresh first page.
  EXPECT_EQ(ListAll({.actor = "dave"}).size(), static_cast<size_t>(added));
}

TEST_F(AuditTest, OnlyAdminsSeeTheAuditUntilAccessRulesSayMore) {
  StartBy("alice");
  EXPECT_EQ(List({}).entries.size(), 1u);
  Principal alice{.id = "alice", .groups = {}};
  AuditPage page = List({}, alice);
  EXPECT_THAT(page.entries, ElementsAre()) << "not even her own start, for now";
}

TEST_F(AuditTest, IdentityChangesAreAuditedForAdminsOnly) {
  auto directory = Directory::Open(log_);
  ASSERT_TRUE(directory.ok()) << directory.status().ToString();
  auto added = Await<CreatedUser>([&](auto done) {
    (*directory)->AddUser(kAdmin, NewUser{"alice", {"finance"}}, NewToken{"laptop", std::nullopt},
                          done);
  });
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  auto regrouped = Await<UserView>([&](auto done) {
    (*directory)->SetGroups(kAdmin, "alice", {"ops"}, done);
  });
  ASSERT_TRUE(regrouped.ok());

  std::vector<AuditEntry> entries = ListAll({.actor = "admin"});
  EXPECT_THAT(Actions(entries), ElementsAre("admin user.groups_changed", "admin token.issued",
                                            "admin user.added"));
  EXPECT_EQ(entries.back().subject, "alice");
  EXPECT_EQ(entries.back().workflow, "");
  EXPECT_THAT(List({}, Principal{.id = "alice", .groups = {"ops"}}).entries, ElementsAre())
      << "identity changes are for admins only";
  auto report = VerifyLog(log_);
  ASSERT_TRUE(report.ok());
  EXPECT_THAT(report->problems, ElementsAre());
}

TEST_F(AuditTest, ABadCursorOrLimitIsRefusedNamingIt) {
  auto bad_cursor = engine_->ListAudit({.after = "zz"}, kAdmin);
  EXPECT_EQ(bad_cursor.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_cursor.status().message(), HasSubstr("after"));
  auto not_a_position = engine_->ListAudit({.after = "00ff"}, kAdmin);
  EXPECT_EQ(not_a_position.status().code(), StatusCode::kInvalidArgument);
  auto bad_limit = engine_->ListAudit({.limit = 0}, kAdmin);
  EXPECT_EQ(bad_limit.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_limit.status().message(), HasSubstr("limit"));
}

TEST_F(AuditTest, VerifyNamesAMissingAndAStrayEntry) {
  std::string run_id = StartBy("alice");
  std::string position = EncodeAuditPosition({Run(run_id).started_at_ms, run_id, 1});
  std::string stray_position = EncodeAuditPosition({5, run_id, 2});  // seq 2 is no start
  storage::AppendBatch damage;
  damage.index_ops = {
      {storage::Index::kAudit, AuditKey(AuditScope::kActor, "alice", position), std::nullopt},
      {storage::Index::kAudit, AuditKey(AuditScope::kEverything, "", stray_position),
       EncodeAuditRecord({fb::Body::RunStarted, "invoice", "mallory"})}};
  std::promise<Status> written;
  log_.Append(std::move(damage), [&](Status status, uint64_t) { written.set_value(status); });
  ASSERT_TRUE(written.get_future().get().ok());

  auto report = VerifyLog(log_);
  ASSERT_TRUE(report.ok());
  EXPECT_THAT(report->problems,
              ElementsAre(HasSubstr("seq 1: no audit entry under its actor"),
                          HasSubstr("audit index: 3 entries where the events imply 3"),
                          HasSubstr("seq 2: names no start, decision, comment, cancel or retry")));
  // A page skips the stray entry: it names an event that is not what it records.
  EXPECT_THAT(Actions(List({}).entries), ElementsAre("alice run.started"));
}

// Data dirs written before the audit index: the engine builds it on open, once.
TEST_F(AuditTest, OpeningADataDirWithoutTheIndexBuildsItOnce) {
  std::string run_id = StartBy("alice");
  Decide(ApprovalOf(run_id), "bob", Decision::kReject, "no");
  std::vector<std::string> built = AuditKeys();
  ASSERT_EQ(built.size(), 1u + 2 * 3);

  // As an older version left it: the same events, no audit entries, no marker.
  storage::AppendBatch erase;
  for (const std::string& key : built) erase.index_ops.push_back({storage::Index::kAudit, key, {}});
  std::promise<Status> erased;
  log_.Append(std::move(erase), [&](Status status, uint64_t) { erased.set_value(status); });
  ASSERT_TRUE(erased.get_future().get().ok());
  ASSERT_TRUE(AuditKeys().empty());

  Reopen();
  EXPECT_EQ(AuditKeys(), built) << "the same entries the commits wrote, and the marker";
  EXPECT_THAT(Actions(List({}).entries), ElementsAre("bob approval.decided", "alice run.started"));

  // Once built, it is not built again: an entry removed now stays removed (verify names it).
  storage::AppendBatch remove_one;
  remove_one.index_ops.push_back({storage::Index::kAudit, built[1], {}});
  std::promise<Status> removed;
  log_.Append(std::move(remove_one), [&](Status status, uint64_t) { removed.set_value(status); });
  ASSERT_TRUE(removed.get_future().get().ok());
  Reopen();
  EXPECT_EQ(AuditKeys().size(), built.size() - 1);
}

// A filter that matches little reads a bounded number of entries per page and hands back a
// cursor to go on from, rather than reading the whole index in one request.
TEST(AuditQueriesTest, APageReadsAtMostTheBoundAndGoesOnFromItsCursor) {
  storage::MemEventLog log;
  storage::AppendBatch batch;
  // kMaxAuditEntriesScanned + 10 entries of a workflow the viewer may not see, newest...
  for (size_t i = 0; i < kMaxAuditEntriesScanned + 10; ++i) {
    std::string position = EncodeAuditPosition(
        {static_cast<int64_t>(1'000'000 - i), "run_" + std::to_string(i), 1});
    batch.index_ops.push_back({storage::Index::kAudit,
                               AuditKey(AuditScope::kEverything, "", position),
                               EncodeAuditRecord({fb::Body::RunStarted, "secret", "x"})});
  }
  std::promise<Status> written;
  log.Append(std::move(batch), [&](Status status, uint64_t) { written.set_value(status); });
  ASSERT_TRUE(written.get_future().get().ok());

  AuditQueries queries(log, NullLogger());
  Principal viewer{.id = "alice", .groups = {}};
  auto may_see = [](std::string_view workflow) { return workflow == "public"; };
  auto first = queries.List({.limit = 10}, viewer, may_see);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_THAT(first->entries, ElementsAre());
  ASSERT_FALSE(first->next.empty()) << "a cursor to go on from";
  auto second = queries.List({.after = first->next, .limit = 10}, viewer, may_see);
  ASSERT_TRUE(second.ok());
  EXPECT_THAT(second->entries, ElementsAre());
  EXPECT_TRUE(second->next.empty()) << "the last 10 entries were read: the end";
}

}  // namespace
}  // namespace assent::engine
