// Engine behaviour over MemEventLog: commands, the fold, recovery, the reviewers' feed, http
// steps against a real local HTTP server, and a failed commit.
#include "engine/engine.h"

#include <chrono>
#include <algorithm>
#include <functional>
#include <atomic>
#include <future>
#include <set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/internal/run_snapshot.h"
#include "engine/internal/run_state.h"
#include "schemas/event_generated.h"
#include "storage/mem_event_log.h"
#include "tests/engine/run_state_printer.h"
#include "tests/engine/engine_fixture.h"
#include "tests/support/http_target.h"

namespace assent::engine {
namespace {

namespace json = boost::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using engine_testing::AsAdmin;
using engine_testing::kAdmin;
using engine_testing::ActorNamed;
using engine_testing::Await;
using engine_testing::EngineTest;
using engine_testing::Eventually;
using engine_testing::kReviewFlow;
using engine_testing::kWait;

TEST_F(EngineTest, SmallInvoiceRunsStraightThrough) {
  ApplyReviewFlow();
  std::string run_id = Start("invoice", R"({"invoice_id": "i1", "amount": 120, "vendor": "ACME"})");
  RunView run = Run(run_id);
  EXPECT_EQ(run.status, RunStatus::kCompleted);
  ASSERT_TRUE(run.output.has_value());
  EXPECT_EQ(*run.output, json::parse(R"({"payment_id":"pay-i1","approved_by":"auto"})"));
  EXPECT_EQ(run.steps.at("check").at("result"), false);
  EXPECT_THAT(EventTypes(run_id),
              ElementsAre("run.started", "step.completed", "step.completed", "step.completed",
                          "step.completed", "run.completed"));
}

TEST_F(EngineTest, LargeInvoiceWaitsForApprovalThenCompletes) {
  ApplyReviewFlow();
  std::vector<ApprovalNotification> seen;
  std::mutex seen_mutex;
  engine_->Subscribe([&](const ApprovalNotification& notification) {
    std::lock_guard lock(seen_mutex);
    seen.push_back(notification);
  });

  std::string run_id = Start("invoice", R"({"invoice_id": "i2", "amount": 7200, "vendor": "ACME"})");
  RunView waiting = Run(run_id);
  EXPECT_EQ(waiting.status, RunStatus::kWaiting);
  ASSERT_EQ(waiting.pending_approvals.size(), 1u);
  const ApprovalView& approval = waiting.pending_approvals[0];
  EXPECT_EQ(approval.message, "Pay 7200 to ACME?");
  EXPECT_EQ(approval.show.at("amount"), 7200);
  EXPECT_EQ(approval.show.at("vendor"), "ACME");

  auto pending = ListApprovalsAsAdmin(ApprovalStatus::kPending, 100);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].id, approval.id);
  auto waiting_runs = ListRunsAsAdmin(RunStatus::kWaiting, 100);
  ASSERT_TRUE(waiting_runs.ok());
  ASSERT_EQ(waiting_runs->size(), 1u);

  auto decided = DecideOn(approval.id, Decision::kApprove, "looks right");
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->status, ApprovalStatus::kApproved);
  ASSERT_EQ(decided->decisions.size(), 1u);
  EXPECT_EQ(decided->decisions[0].reviewer, "alice");

  RunView done = Run(run_id);
  EXPECT_EQ(done.status, RunStatus::kCompleted);
  EXPECT_EQ(*done.output, json::parse(R"({"payment_id":"pay-i2","approved_by":"alice"})"));
  EXPECT_TRUE(ListApprovalsAsAdmin(ApprovalStatus::kPending, 100)->empty());
  EXPECT_EQ(ListApprovalsAsAdmin(ApprovalStatus::kApproved, 100)->size(), 1u);
  EXPECT_EQ(ListRunsAsAdmin(RunStatus::kCompleted, 100)->size(), 1u);
  EXPECT_TRUE(ListRunsAsAdmin(RunStatus::kWaiting, 100)->empty());

  std::lock_guard lock(seen_mutex);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].kind, ApprovalNotification::Kind::kRequested);
  EXPECT_EQ(seen[1].kind, ApprovalNotification::Kind::kDecided);
  EXPECT_EQ(seen[1].approval.status, ApprovalStatus::kApproved);
  EXPECT_EQ(seen[0].cursor, 1u) << "cursors number notifications in commit order";
  EXPECT_EQ(seen[1].cursor, 2u);
  EXPECT_EQ(engine_->LastCursor(), 2u);
}

TEST_F(EngineTest, RejectFailsTheRunWithTheReviewersFeedback) {
  ApplyReviewFlow();
  std::string run_id = Start("invoice", R"({"invoice_id": "i3", "amount": 9000, "vendor": "Shady"})");
  std::string approval_id = Run(run_id).pending_approvals.at(0).id;
  auto decided = DecideOn(approval_id, Decision::kReject, "vendor not on the list");
  ASSERT_TRUE(decided.ok());
  EXPECT_EQ(decided->status, ApprovalStatus::kRejected);
  RunView run = Run(run_id);
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_EQ(run.error, "rejected by alice: vendor not on the list");
}

TEST_F(EngineTest, RejectFollowsOnRejectWhenTheStepNamesOne) {
  ApplyWorkflow("deploy", R"({"steps": [
    {"id": "ask", "type": "approval", "message": "Deploy?", "on_reject": "rollback"},
    {"id": "ship", "type": "code", "lua": "return 'shipped'", "next": "end"},
    {"id": "rollback", "type": "code", "lua": "return 'rolled back: ' .. steps.ask.comment"}]})");
  std::string run_id = Start("deploy", "{}");
  ASSERT_TRUE(DecideOn(Run(run_id).pending_approvals.at(0).id, Decision::kReject, "not today").ok());
  RunView run = Run(run_id);
  EXPECT_EQ(run.status, RunStatus::kCompleted);
  EXPECT_EQ(*run.output, "rolled back: not today");
}

TEST_F(EngineTest, SecondDecisionIsAConflictAndChangesNothing) {
  ApplyReviewFlow();
  std::string run_id = Start("invoice", R"({"invoice_id": "i4", "amount": 6000, "vendor": "V"})");
  std::string approval_id = Run(run_id).pending_approvals.at(0).id;
  ASSERT_TRUE(DecideOn(approval_id, Decision::kApprove).ok());
  size_t events_before = EventTypes(run_id).size();

  auto again = DecideOn(approval_id, Decision::kReject, "changed my mind");
  EXPECT_EQ(again.status().code(), StatusCode::kConflict);
  EXPECT_THAT(again.status().message(), HasSubstr("already approved"));
  EXPECT_EQ(EventTypes(run_id).size(), events_before);
  EXPECT_EQ(Run(run_id).status, RunStatus::kCompleted);
}

TEST_F(EngineTest, UnknownIdsAreNotFound) {
  ApplyReviewFlow();
  EXPECT_EQ(DecideOn("run_nope.5", Decision::kApprove).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(DecideOn("garbage", Decision::kApprove).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->GetRun(kAdmin, "run_nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->GetApproval(kAdmin, "run_nope.3").status().code(), StatusCode::kNotFound);
  auto started = Await<StartRunResult>([&](auto done) {
    engine_->StartRun(AsAdmin(StartRunCommand{"no-such-workflow", {}, ""}), done);
  });
  EXPECT_EQ(started.status().code(), StatusCode::kNotFound);
}

TEST_F(EngineTest, CancelStopsAWaitingRunAndItsApproval) {
  ApplyReviewFlow();
  std::vector<ApprovalNotification> seen;
  std::mutex seen_mutex;
  engine_->Subscribe([&](const ApprovalNotification& notification) {
    std::lock_guard lock(seen_mutex);
    seen.push_back(notification);
  });
  std::string run_id = Start("invoice", R"({"invoice_id": "i5", "amount": 6000, "vendor": "V"})");
  std::string approval_id = Run(run_id).pending_approvals.at(0).id;
  auto cancelled = Await<RunView>([&](auto done) {
    engine_->Cancel(CancelCommand{run_id, ActorNamed("bob"), "duplicate invoice"}, done);
  });
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().ToString();
  EXPECT_EQ(cancelled->status, RunStatus::kCancelled);
  EXPECT_EQ(engine_->GetApproval(kAdmin, approval_id)->status, ApprovalStatus::kCancelled);
  EXPECT_TRUE(ListApprovalsAsAdmin(ApprovalStatus::kPending, 100)->empty());
  EXPECT_EQ(DecideOn(approval_id, Decision::kApprove).status().code(), StatusCode::kConflict);
  auto again = Await<RunView>([&](auto done) {
    engine_->Cancel(CancelCommand{run_id, ActorNamed("bob"), ""}, done);
  });
  EXPECT_EQ(again.status().code(), StatusCode::kConflict);

  // Reviewers are told the approval is withdrawn, in commit order after its request.
  std::lock_guard lock(seen_mutex);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].kind, ApprovalNotification::Kind::kCancelled);
  EXPECT_EQ(seen[1].approval.id, approval_id);
  EXPECT_EQ(seen[1].approval.status, ApprovalStatus::kCancelled);
  EXPECT_EQ(seen[1].cursor, seen[0].cursor + 1);
}

TEST_F(EngineTest, PendingApprovalsPageNewestFirst) {
  ApplyReviewFlow();
  std::vector<std::string> started;
  for (int i = 0; i < 3; ++i) {
    started.push_back(Run(Start("invoice", R"({"invoice_id": "p", "amount": 9000, "vendor": "V"})"))
                          .pending_approvals.at(0)
                          .id);
  }
  auto page = [&](std::string_view before, size_t limit) {
    std::vector<std::string> ids;
    Status listed = engine_->ForEachApprovalNewestFirst(
        ApprovalStatus::kPending, before, [&](const ApprovalView& approval) {
          ids.push_back(approval.id);
          return ids.size() < limit;
        });
    EXPECT_TRUE(listed.ok()) << listed.ToString();
    return ids;
  };
  // Ids sort by start time to the millisecond, then by random bits: newest first is id order.
  std::sort(started.begin(), started.end(), std::greater<>());
  using Ids = std::vector<std::string>;
  EXPECT_EQ(page("", 10), started);
  EXPECT_EQ(page("", 2), (Ids{started[0], started[1]}));
  EXPECT_EQ(page(started[1], 10), Ids{started[2]}) << "the page after a token";
}

// Every command records who sent it, how, and under which request id: the events carry what
// the api layer authenticated, and the approval names its workflow for access checks.
TEST_F(EngineTest, EventsRecordTheActorChannelAndRequestOfEachCommand) {
  ApplyReviewFlow();
  StartRunCommand start{
      "invoice", json::parse(R"({"invoice_id": "i9", "amount": 6000, "vendor": "V"})").as_object()};
  start.actor = ActorNamed("carol");
  start.actor.request_id = "req-start";
  auto started = Await<StartRunResult>([&](auto done) { engine_->StartRun(start, done); });
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  RunView run = Run(started->run_id);
  EXPECT_EQ(run.started_by, "carol");
  ASSERT_EQ(run.pending_approvals.size(), 1u);
  EXPECT_EQ(run.pending_approvals[0].workflow, "invoice");
  EXPECT_EQ(ListApprovalsAsAdmin(ApprovalStatus::kPending, 10)->at(0).workflow, "invoice");

  Actor reviewer = ActorNamed("dave");
  reviewer.channel = Channel::kStream;
  reviewer.request_id = "req-decide";
  auto decided = Await<ApprovalView>([&](auto done) {
    engine_->Decide(DecideCommand{run.pending_approvals[0].id, Decision::kReject, reviewer, "no"},
                    done);
  });
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->decisions.at(0).reviewer, "dave");
  EXPECT_EQ(Run(started->run_id).error, "rejected by dave: no");

  auto events = engine_->GetEvents(kAdmin, started->run_id);
  ASSERT_TRUE(events.ok());
  const EventView& first = events->front();
  EXPECT_EQ(first.fields.at("started_by"), "carol");
  EXPECT_EQ(first.fields.at("channel"), "rest");
  EXPECT_EQ(first.fields.at("request_id"), "req-start");
  bool saw_decision = false;
  for (const EventView& event : *events) {
    if (event.type != "approval.decided") continue;
    saw_decision = true;
    EXPECT_EQ(event.fields.at("reviewer"), "dave");
    EXPECT_EQ(event.fields.at("channel"), "stream");
    EXPECT_EQ(event.fields.at("request_id"), "req-decide");
  }
  EXPECT_TRUE(saw_decision);
}

TEST_F(EngineTest, EvictedWaitingRunsAreRebuiltWhenTheDecisionArrives) {
  ApplyReviewFlow();
  Reopen(EngineOptions{.max_cached_waiting_runs = 1});
  std::vector<std::string> run_ids;
  for (int i = 0; i < 4; ++i) {
    run_ids.push_back(Start("invoice", R"({"invoice_id": ")" + std::to_string(i) +
                                           R"(", "amount": 9000, "vendor": "V"})"));
  }
  for (const std::string& run_id : run_ids) {
    ASSERT_TRUE(DecideOn(Run(run_id).pending_approvals.at(0).id, Decision::kApprove).ok());
  }
  for (size_t i = 0; i < run_ids.size(); ++i) {
    RunView run = Run(run_ids[i]);
    EXPECT_EQ(run.status, RunStatus::kCompleted);
    EXPECT_EQ(run.output->at("payment_id"), ("pay-" + std::to_string(i)).c_str());
  }
}

TEST_F(EngineTest, CommentsAreKeptOnTheApproval) {
  ApplyReviewFlow();
  std::string run_id = Start("invoice", R"({"invoice_id": "i6", "amount": 6000, "vendor": "V"})");
  std::string approval_id = Run(run_id).pending_approvals.at(0).id;
  auto commented = Await<ApprovalView>([&](auto done) {
    engine_->AddComment(
        CommentCommand{approval_id, ActorNamed("carol"), "checking with finance"}, done);
  });
  ASSERT_TRUE(commented.ok());
  ASSERT_EQ(commented->comments.size(), 1u);
  EXPECT_EQ(commented->comments[0].author, "carol");
  EXPECT_EQ(engine_->GetApproval(kAdmin, approval_id)->comments.at(0).text, "checking with finance");
  auto listed = ListApprovalsAsAdmin(ApprovalStatus::kPending, 10);  // read from the index
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].comments.at(0).text, "checking with finance");
}

TEST_F(EngineTest, IdempotencyKeyReturnsTheSameRun) {
  ApplyReviewFlow();
  constexpr const char* kInput = R"({"invoice_id": "i7", "amount": 1, "vendor": "V"})";
  std::string first = Start("invoice", kInput, "k-1");
  auto start_again = [&](const char* input) {
    return Await<StartRunResult>([&](auto done) {
      engine_->StartRun(AsAdmin(StartRunCommand{"invoice", json::parse(input).as_object(), "k-1"}), done);
    });
  };
  auto again = start_again(kInput);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->run_id, first);
  EXPECT_FALSE(again->created);
  // The same key with another body is a different request: refused, not answered with a run
  // it does not describe.
  auto other = start_again(R"({"invoice_id": "i7"})");
  EXPECT_EQ(other.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(other.status().message(), ::testing::HasSubstr(first));
  EXPECT_NE(Start("invoice", R"({"invoice_id": "i8", "amount": 1, "vendor": "V"})", "k-2"), first);
  EXPECT_EQ(ListRunsAsAdmin(std::nullopt, 100)->size(), 2u);
}

// A busy shard makes dozens of run ids in one millisecond. Two of them must never be equal,
// however the random bits fall: the second start would take over the first run's id, its
// events and its index entries, and one waiting run (with its pending approval) would vanish
// while both starts answered Ok. Here every draw repeats, so only the engine keeps them apart.
TEST_F(EngineTest, RunsStartedInOneMillisecondNeverShareAnIdEvenWhenTheRandomBitsRepeat) {
  ApplyReviewFlow();
  Reopen(EngineOptions{.shards = 1}, EngineHooks{.run_id_random = [] { return uint64_t{42}; }});
  constexpr size_t kRuns = 100;
  // All sent before any is answered: the shard starts them back to back, many per millisecond.
  std::vector<engine_testing::Outcome<StartRunResult>> starts(kRuns);
  for (size_t i = 0; i < kRuns; ++i) {
    std::string input = R"({"invoice_id": ")" + std::to_string(i) +
                        R"(", "amount": 9000, "vendor": "V"})";
    engine_->StartRun(AsAdmin(StartRunCommand{"invoice", json::parse(input).as_object(), ""}),
                      starts[i].Receiver());
  }
  std::set<std::string> run_ids;
  for (auto& start : starts) {
    auto started = start.Get();
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    run_ids.insert(started->run_id);
  }
  EXPECT_EQ(run_ids.size(), kRuns);
  auto pending = ListApprovalsAsAdmin(ApprovalStatus::kPending, 1000);  // from the index
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->size(), kRuns);
}

// Every field a reader can see, so replay can be compared with the live result as a whole.
std::string Dump(const RunView& run) {
  json::object dump{{"run_id", run.run_id}, {"workflow", run.workflow}, {"version", run.version},
                    {"status", ToString(run.status)}, {"input", run.input}, {"steps", run.steps},
                    {"output", run.output ? *run.output : json::value()}, {"error", run.error},
                    {"started_at", run.started_at_ms}, {"updated_at", run.updated_at_ms}};
  json::array approvals;
  for (const ApprovalView& approval : run.pending_approvals) {
    approvals.push_back(Describe(approval));
  }
  dump["pending_approvals"] = approvals;
  return json::serialize(dump);
}

TEST_F(EngineTest, ReplayRebuildsEveryRunExactly) {
  ApplyReviewFlow();
  std::vector<std::string> run_ids;
  for (int amount : {8000, 10, 6000, 7000}) {
    run_ids.push_back(Start("invoice", R"({"invoice_id": "r", "vendor": "V", "amount": )" +
                                           std::to_string(amount) + "}"));
  }
  std::string commented = Run(run_ids[2]).pending_approvals.at(0).id;
  ASSERT_TRUE(Await<ApprovalView>([&](auto done) {
                engine_->AddComment(CommentCommand{commented, ActorNamed("carol"), "hm"}, done);
              }).ok());
  ASSERT_TRUE(DecideOn(Run(run_ids[3]).pending_approvals.at(0).id, Decision::kReject, "no").ok());
  std::vector<std::string> before;
  for (const std::string& run_id : run_ids) before.push_back(Dump(Run(run_id)));

  Reopen();
  for (size_t i = 0; i < run_ids.size(); ++i) EXPECT_EQ(Dump(Run(run_ids[i])), before[i]);
}

// A long run: `steps` code steps, then an approval, then one more step.
std::string LongWorkflow(int steps) {
  std::string document = R"({"steps": [)";
  for (int i = 0; i < steps; ++i) {
    document += R"({"id": "s)" + std::to_string(i) + R"(", "type": "code", "lua": "return )" +
                std::to_string(i) + R"("},)";
  }
  return document + R"({"id": "ask", "type": "approval", "message": "go on?"},
                       {"id": "last", "type": "code", "lua": "return steps.s0 + 1"}]})";
}

// Folds every event of the run from seq 1, ignoring any snapshot.
RunView FullFold(storage::EventLog& log, const std::string& run_id) {
  std::vector<std::string> records;
  EXPECT_TRUE(log.ReadRun(run_id, &records).ok());
  RunState state;
  for (const std::string& record : records) Apply(state, *fb::GetEvent(record.data()));
  return ToView(std::move(state));
}

TEST_F(EngineTest, LongRunsAreReadFromASnapshotAndATailThatMatchAFullFold) {
  ApplyWorkflow("long", LongWorkflow(70));
  std::string run_id = Start("long", "{}");
  std::string snapshot;
  ASSERT_TRUE(log_.GetIndex(storage::Index::kRunSnapshots, run_id, &snapshot).ok())
      << "a run past " << kSnapshotEvery << " events has a snapshot";
  EXPECT_EQ(Dump(Run(run_id)), Dump(FullFold(log_, run_id)));

  // Decide after a restart: the run is rebuilt from the snapshot plus its tail, and goes on.
  Reopen();
  ASSERT_TRUE(DecideOn(Run(run_id).pending_approvals.at(0).id, Decision::kApprove).ok());
  RunView done = Run(run_id);
  EXPECT_EQ(done.status, RunStatus::kCompleted);
  EXPECT_EQ(*done.output, 1);
  EXPECT_EQ(Dump(done), Dump(FullFold(log_, run_id)));
}

TEST_F(EngineTest, AnUnreadableSnapshotIsIgnoredForTheEvents) {
  ApplyWorkflow("long", LongWorkflow(70));
  std::string run_id = Start("long", "{}");
  storage::AppendBatch damage;
  damage.index_ops.push_back({storage::Index::kRunSnapshots, run_id, std::string("{oops")});
  std::promise<Status> written;
  log_.Append(std::move(damage), [&](Status status, uint64_t) { written.set_value(status); });
  ASSERT_TRUE(written.get_future().get().ok());
  EXPECT_EQ(Dump(Run(run_id)), Dump(FullFold(log_, run_id)));
}

TEST_F(EngineTest, ReplayRebuildsTheSameStateAndResumesPendingApprovals) {
  ApplyReviewFlow();
  std::string waiting_id = Start("invoice", R"({"invoice_id": "a", "amount": 8000, "vendor": "V"})");
  std::string done_id = Start("invoice", R"({"invoice_id": "b", "amount": 10, "vendor": "V"})");
  RunView waiting_before = Run(waiting_id);
  RunView done_before = Run(done_id);

  Reopen();
  RunView waiting_after = Run(waiting_id);
  EXPECT_EQ(waiting_after.status, RunStatus::kWaiting);
  EXPECT_EQ(waiting_after.steps, waiting_before.steps);
  EXPECT_EQ(waiting_after.pending_approvals.at(0).id, waiting_before.pending_approvals.at(0).id);
  EXPECT_EQ(*Run(done_id).output, *done_before.output);

  ASSERT_TRUE(DecideOn(waiting_after.pending_approvals[0].id, Decision::kApprove).ok());
  EXPECT_EQ(Run(waiting_id).status, RunStatus::kCompleted);
}

TEST_F(EngineTest, LuaErrorFailsTheRunWithTheStepNamed) {
  ApplyWorkflow("broken", R"json({"steps": [
    {"id": "boom", "type": "code", "lua": "error('no invoice number')"}]})json");
  RunView run = Run(Start("broken", "{}"));
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_THAT(run.error, HasSubstr("step 'boom' failed"));
  EXPECT_THAT(run.error, HasSubstr("no invoice number"));
}

TEST_F(EngineTest, LoopingDefinitionFailsInsteadOfSpinning) {
  // A loop with no way to "end" is refused when applied; this one has one it never takes.
  ApplyWorkflow("loop", R"({"steps": [
    {"id": "a", "type": "code", "lua": "return 1"},
    {"id": "again", "type": "condition", "if": "true", "then": "a", "else": "end"}]})");
  RunView run = Run(Start("loop", "{}"));
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_THAT(run.error, HasSubstr("the definition loops"));
}

TEST_F(EngineTest, WorkflowVersionsIncreaseOnlyWhenTheDocumentChanges) {
  auto v1 = engine_->ApplyWorkflow(kAdmin, "w", json::parse(R"({"steps": [{"id": "a", "type": "code", "lua": "return 1"}]})"));
  auto same = engine_->ApplyWorkflow(kAdmin, "w", json::parse(R"({"steps": [{"id": "a", "type": "code", "lua": "return 1"}]})"));
  auto v2 = engine_->ApplyWorkflow(kAdmin, "w", json::parse(R"({"steps": [{"id": "a", "type": "code", "lua": "return 2"}]})"));
  ASSERT_TRUE(v1.ok() && same.ok() && v2.ok());
  EXPECT_EQ(v1->version, 1u);
  EXPECT_EQ(same->version, 1u);
  EXPECT_EQ(v2->version, 2u);
  Reopen();
  EXPECT_EQ(engine_->GetWorkflow(kAdmin, "w")->version, 2u);
  EXPECT_EQ(engine_->ListWorkflows(kAdmin)->size(), 1u);
}

TEST_F(EngineTest, HttpStepPostsRenderedBodyWithAStableIdempotencyKeyAndRetries) {
  testing::HttpTarget target([](const testing::ReceivedRequest&, size_t index) {
    if (index < 2) return testing::TargetResponse{503, R"({"error": "busy"})"};
    return testing::TargetResponse{200, R"({"payment_id": "p-77"})"};
  });
  std::string definition = R"({"steps": [
    {"id": "pay", "type": "http", "url": ")" + target.url("/payments") + R"(",
     "body": {"amount": "{{input.amount}}", "note": "for {{input.vendor}}"}},
    {"id": "done", "type": "code", "lua": "return {id = steps.pay.payment_id}"}]})";
  ApplyWorkflow("pay", definition);
  std::string run_id = Start("pay", R"({"amount": 42, "vendor": "ACME"})");

  ASSERT_TRUE(Eventually([&] { return Run(run_id).status == RunStatus::kCompleted; }))
      << "run did not complete; status " << ToString(Run(run_id).status) << " " << Run(run_id).error;
  EXPECT_EQ(*Run(run_id).output, json::parse(R"({"id":"p-77"})"));

  auto requests = target.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const auto& request : requests) {
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.target, "/payments");
    EXPECT_EQ(request.headers.at("idempotency-key"), run_id + "/pay/2");
    EXPECT_EQ(json::parse(request.body), json::parse(R"({"amount": 42, "note": "for ACME"})"));
  }
  EXPECT_THAT(EventTypes(run_id),
              ElementsAre("run.started", "step.started", "step.failed", "step.started",
                          "step.failed", "step.started", "step.completed", "step.completed",
                          "run.completed"));
}

TEST_F(EngineTest, HttpClientErrorFailsWithoutRetry) {
  testing::HttpTarget target([](const testing::ReceivedRequest&, size_t) {
    return testing::TargetResponse{400, R"({"error": "bad vendor"})"};
  });
  std::string definition = R"({"steps": [{"id": "pay", "type": "http", "url": ")" +
                           target.url("/p") + R"("}]})";
  ApplyWorkflow("pay", definition);
  std::string run_id = Start("pay", "{}");
  ASSERT_TRUE(Eventually([&] { return Run(run_id).status == RunStatus::kFailed; }));
  EXPECT_THAT(Run(run_id).error, HasSubstr("HTTP 400"));
  EXPECT_EQ(target.requests().size(), 1u);
}

TEST_F(EngineTest, EachVisitOfAnHttpStepHasItsOwnIdempotencyKey) {
  testing::HttpTarget target([](const testing::ReceivedRequest&, size_t index) {
    return testing::TargetResponse{200, R"({"count": )" + std::to_string(index + 1) + "}"};
  });
  ApplyWorkflow("twice", R"({"steps": [
    {"id": "pay", "type": "http", "url": ")" + target.url("/p") + R"("},
    {"id": "again", "type": "condition", "if": "steps.pay.count < 2", "then": "pay", "else": "end"}]})");
  std::string run_id = Start("twice", "{}");
  ASSERT_TRUE(Eventually([&] { return Run(run_id).status == RunStatus::kCompleted; }));
  auto requests = target.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_NE(requests[0].headers.at("idempotency-key"), requests[1].headers.at("idempotency-key"));
}

TEST_F(EngineTest, StorageFailureIsReportedOnceAndRefusesLaterCommands) {
  ApplyReviewFlow();
  std::atomic<int> failures{0};
  Reopen(EngineOptions{.on_storage_failure = [&](const Status&) { ++failures; }});
  log_.FailNextWrite(Status::IOError("disk on fire"));
  auto first = Await<StartRunResult>([&](auto done) {
    engine_->StartRun(AsAdmin(StartRunCommand{"invoice", {}, ""}), done);
  });
  EXPECT_EQ(first.status().code(), StatusCode::kIOError);
  EXPECT_EQ(failures.load(), 1);
  EXPECT_EQ(engine_->Health().code(), StatusCode::kUnavailable);
  auto later = Await<StartRunResult>([&](auto done) {
    engine_->StartRun(AsAdmin(StartRunCommand{"invoice", {}, ""}), done);
  });
  EXPECT_EQ(later.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(later.status().message(), HasSubstr("restart to recover"));
}

TEST_F(EngineTest, FailedCommitIsReportedAndLeavesNothingBehind) {
  ApplyReviewFlow();
  log_.FailNextWrite(Status::IOError("disk on fire"));
  auto started = Await<StartRunResult>([&](auto done) {
    engine_->StartRun(AsAdmin(StartRunCommand{"invoice", {}, ""}), done);
  });
  EXPECT_EQ(started.status().code(), StatusCode::kIOError);
  EXPECT_TRUE(ListRunsAsAdmin(std::nullopt, 100)->empty());
}

}  // namespace
}  // namespace assent::engine
