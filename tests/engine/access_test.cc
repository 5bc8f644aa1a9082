// Access per workflow (engine/internal/access_rules.h), enforced by the engine itself: each rule
// with a principal inside and one outside it. A refused command leaves the log as it was; an
// item a principal may not see answers exactly as an unknown one. Every run ends with the
// replay-equality check (EngineTest).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include <boost/json/parse.hpp>

#include "tests/engine/engine_fixture.h"

namespace assent::engine::engine_testing {
namespace {

// bob views, carol starts, the ops group edits; the review step's approvers are whoever the
// test names (none: the editors decide).
std::string Flow(const std::string& step_access = "", const std::string& lists = "") {
  return R"({)" + (lists.empty() ? std::string(R"("viewers": ["bob"], "starters": ["carol"],
             "editors": ["group:ops"],)")
                                 : lists + ",") +
         R"("steps": [
    {"id": "review", "type": "approval", "message": "ok?")" +
         step_access + R"(},
    {"id": "done", "type": "code", "lua": "return 1"}]})";
}

class AccessTest : public EngineTest {
 protected:
  const Principal bob = User("bob");                    // viewer
  const Principal carol = User("carol");                // starter
  const Principal dave = User("dave", {"ops"});         // editor, through his group
  const Principal erin = User("erin", {"finance"});     // in no list unless a test adds her
  const Principal eve = User("eve");                    // nobody

  void Apply(const std::string& document, const Principal& by = kAdmin) {
    auto applied = engine_->ApplyWorkflow(by, "pay", json::parse(document));
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  }

  Result<StartRunResult> StartAs(const Principal& who) {
    return Await<StartRunResult>([&](auto done) {
      StartRunCommand command{"pay", {}, ""};
      command.actor = Actor{.principal = who};
      engine_->StartRun(std::move(command), done);
    });
  }
  // A run started by `who`, waiting for its review: its approval's id.
  std::string PendingApprovalStartedBy(const Principal& who) {
    auto started = StartAs(who);
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    if (!started.ok()) return "";
    RunView run = Run(started->run_id);
    EXPECT_EQ(run.pending_approvals.size(), 1u);
    return run.pending_approvals.empty() ? "" : run.pending_approvals[0].id;
  }
  Result<ApprovalView> CommentAs(const Principal& who, const std::string& approval_id) {
    return Await<ApprovalView>([&](auto done) {
      engine_->AddComment(CommentCommand{approval_id, {.principal = who}, "a note"}, done);
    });
  }
  Result<RunView> CancelAs(const Principal& who, const std::string& run_id) {
    return Await<RunView>([&](auto done) {
      engine_->Cancel(CancelCommand{run_id, {.principal = who}, "no"}, done);
    });
  }
  // Every event of every run, as the admin reads them: what "nothing was recorded" compares.
  size_t EventCount() {
    size_t count = 0;
    auto runs = ListRunsAsAdmin(std::nullopt, 1000);
    for (const RunView& run : *runs) {
      count += engine_->GetEvents(kAdmin, run.run_id)->size();
    }
    return count;
  }
  static std::string RunOf(const std::string& approval_id) {
    return approval_id.substr(0, approval_id.rfind('.'));
  }
};

TEST_F(AccessTest, ADefinitionNamingNoListsIsForAdminsOnly) {
  Apply(R"({"steps": [{"id": "review", "type": "approval", "message": "ok?"}]})");
  std::string approval_id = PendingApprovalStartedBy(kAdmin);
  size_t events = EventCount();

  EXPECT_EQ(engine_->GetWorkflow(dave, "pay").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(engine_->ListWorkflows(dave)->empty());
  EXPECT_FALSE(engine_->MayView(dave, "pay"));
  EXPECT_TRUE(engine_->MayView(kAdmin, "pay"));
  EXPECT_EQ(StartAs(dave).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(DecideAs(dave, approval_id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->ListRuns(dave, {})->runs.size(), 0u);
  EXPECT_EQ(EventCount(), events);
  EXPECT_TRUE(DecideAs(kAdmin, approval_id).ok());
}

TEST_F(AccessTest, StartersAndEditorsStartRunsOthersAreRefusedAndNothingIsRecorded) {
  Apply(Flow());
  EXPECT_TRUE(StartAs(carol).ok());
  EXPECT_TRUE(StartAs(dave).ok());
  size_t events = EventCount();
  auto viewer = StartAs(bob);
  EXPECT_EQ(viewer.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(viewer.status().message(),
            "'bob' may not start runs of workflow 'pay' (starters and editors may)");
  EXPECT_EQ(StartAs(eve).status().code(), StatusCode::kNotFound) << "eve may not even see it";
  EXPECT_EQ(StartAs(eve).status().message(), "workflow 'pay' not found")
      << "the same answer as for a workflow that does not exist";
  EXPECT_EQ(EventCount(), events);
  EXPECT_EQ(ListRunsAsAdmin(std::nullopt, 100)->size(), 2u);
}

TEST_F(AccessTest, EditorsDecideViewersOnlyComment) {
  Apply(Flow());
  std::string approval_id = PendingApprovalStartedBy(carol);
  size_t events = EventCount();

  auto viewer = DecideAs(bob, approval_id);
  EXPECT_EQ(viewer.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(viewer.status().message(),
            "'bob' may not decide approval " + approval_id + " (the workflow's editors may)");
  EXPECT_EQ(DecideAs(carol, approval_id).status().code(), StatusCode::kPermissionDenied)
      << "starting is not deciding";
  EXPECT_EQ(CommentAs(carol, approval_id).status().code(), StatusCode::kPermissionDenied)
      << "starters do not comment";
  EXPECT_EQ(EventCount(), events) << "a refused command records nothing";
  EXPECT_EQ(engine_->GetApproval(kAdmin, approval_id)->status, ApprovalStatus::kPending);

  EXPECT_TRUE(CommentAs(bob, approval_id).ok());
  EXPECT_TRUE(CommentAs(dave, approval_id).ok());
  auto decided = DecideAs(dave, approval_id);
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->decisions.at(0).reviewer, "dave");
}

TEST_F(AccessTest, AStepsApproversDecideInsteadOfTheEditors) {
  Apply(Flow(R"(, "approvers": ["group:finance"])"));
  std::string approval_id = PendingApprovalStartedBy(carol);
  size_t events = EventCount();

  auto editor = DecideAs(dave, approval_id);
  EXPECT_EQ(editor.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(editor.status().message(), "'dave' may not decide approval " + approval_id +
                                           " (only the approvers its step names may)");
  EXPECT_EQ(EventCount(), events);
  // Named only as an approver, erin sees the workflow, its runs and the approval.
  EXPECT_TRUE(engine_->GetWorkflow(erin, "pay").ok());
  EXPECT_TRUE(engine_->GetRun(erin, RunOf(approval_id)).ok());
  EXPECT_TRUE(CommentAs(erin, approval_id).ok());
  EXPECT_TRUE(DecideAs(erin, approval_id).ok());
}

TEST_F(AccessTest, WithoutSelfApprovalTheRunsStarterMayNotDecideIt) {
  Apply(Flow(R"(, "approvers": ["carol", "erin", "admin"], "self_approval": false)"));
  std::string carols = PendingApprovalStartedBy(carol);
  size_t events = EventCount();
  auto own = DecideAs(carol, carols);
  EXPECT_EQ(own.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(own.status().message(), "'carol' started run " + RunOf(carols) +
                                        " and may not decide its approval " + carols +
                                        " (step 'review' has \"self_approval\": false)");
  EXPECT_EQ(EventCount(), events);
  EXPECT_TRUE(DecideAs(erin, carols).ok());

  // Separation of duties holds for admins too.
  std::string admins = PendingApprovalStartedBy(kAdmin);
  EXPECT_EQ(DecideAs(kAdmin, admins).status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(DecideAs(carol, admins).ok()) << "carol did not start this one";
}

TEST_F(AccessTest, AServiceAccountNeverDecides) {
  Principal robot{.id = "robot", .groups = {"ops"}, .service = true};
  Apply(Flow());
  std::string approval_id = PendingApprovalStartedBy(robot);  // an editor: it may start
  auto decided = DecideAs(robot, approval_id);
  EXPECT_EQ(decided.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(decided.status().message(),
            "service account 'robot' may not decide approvals: a person must");
}

TEST_F(AccessTest, WhatAPrincipalMayNotSeeAnswersAsAnUnknownId) {
  Apply(Flow());
  std::string approval_id = PendingApprovalStartedBy(carol);
  std::string run_id = RunOf(approval_id);
  std::string unknown_run = "run_000000000000ffffffffffffffff";
  std::string unknown_approval = unknown_run + ".2";
  size_t events = EventCount();

  auto same = [](const Status& hidden, const Status& unknown, const std::string& id,
                 const std::string& unknown_id) {
    EXPECT_EQ(hidden.code(), StatusCode::kNotFound);
    EXPECT_EQ(unknown.code(), StatusCode::kNotFound);
    std::string expected = unknown.message();
    expected.replace(expected.find(unknown_id), unknown_id.size(), id);
    EXPECT_EQ(hidden.message(), expected);
  };
  same(engine_->GetRun(eve, run_id).status(), engine_->GetRun(eve, unknown_run).status(), run_id,
       unknown_run);
  same(engine_->GetEvents(eve, run_id).status(), engine_->GetRun(eve, unknown_run).status(),
       run_id, unknown_run);
  same(engine_->GetApproval(eve, approval_id).status(),
       engine_->GetApproval(eve, unknown_approval).status(), approval_id, unknown_approval);
  same(DecideAs(eve, approval_id).status(), DecideAs(eve, unknown_approval).status(),
       approval_id, unknown_approval);
  same(CommentAs(eve, approval_id).status(), CommentAs(eve, unknown_approval).status(),
       approval_id, unknown_approval);
  same(CancelAs(eve, run_id).status(), CancelAs(eve, unknown_run).status(), run_id, unknown_run);
  auto awaited = Await<RunView>(
      [&](auto done) { engine_->AwaitRun(eve, run_id, std::chrono::milliseconds(1), done); });
  same(awaited.status(), engine_->GetRun(eve, unknown_run).status(), run_id, unknown_run);
  EXPECT_EQ(engine_->GetWorkflow(eve, "pay").status().message(), "workflow 'pay' not found");
  EXPECT_EQ(engine_->GetWorkflow(eve, "nope").status().message(), "workflow 'nope' not found");
  EXPECT_EQ(EventCount(), events);

  EXPECT_TRUE(engine_->ListRuns(eve, {})->runs.empty());
  EXPECT_TRUE(engine_->ListApprovals(eve, {})->approvals.empty());
  size_t visited = 0;
  ASSERT_TRUE(engine_->ForEachApproval(eve, std::nullopt, [&](const ApprovalView&) {
                       ++visited;
                       return true;
                     }).ok());
  EXPECT_EQ(visited, 0u);
  EXPECT_EQ(engine_->ListRuns(bob, {})->runs.size(), 1u);
  EXPECT_EQ(engine_->ListApprovals(bob, {})->approvals.size(), 1u);
}

TEST_F(AccessTest, OnlyEditorsCancel) {
  Apply(Flow());
  std::string run_id = RunOf(PendingApprovalStartedBy(carol));
  size_t events = EventCount();
  for (const Principal& who : {bob, carol}) {
    EXPECT_EQ(CancelAs(who, run_id).status().code(), StatusCode::kPermissionDenied) << who.id;
  }
  EXPECT_EQ(EventCount(), events);
  EXPECT_EQ(CancelAs(dave, run_id)->status, RunStatus::kCancelled);
}

TEST_F(AccessTest, StarAdmitsAnyoneSignedIn) {
  Apply(Flow("", R"("viewers": ["*"], "editors": ["dave"])"));
  EXPECT_TRUE(engine_->GetWorkflow(eve, "pay").ok());
  EXPECT_TRUE(engine_->MayView(eve, "pay"));
  EXPECT_EQ(StartAs(eve).status().code(), StatusCode::kPermissionDenied) << "viewing only";
}

TEST_F(AccessTest, OnlyAdminsCreateWorkflowsAndEditorsApplyNewVersions) {
  auto refused = engine_->ApplyWorkflow(dave, "pay", json::parse(Flow()));
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  Apply(Flow());
  Apply(Flow("", R"("viewers": ["bob"], "editors": ["group:ops"], "starters": ["erin"])"), dave);
  EXPECT_EQ(engine_->GetWorkflow(kAdmin, "pay")->version, 2u);
  // A viewer, and someone who may not even see it, get the same refusal as a new name would.
  for (const Principal& who : {bob, eve}) {
    auto applied = engine_->ApplyWorkflow(who, "pay", json::parse(Flow()));
    EXPECT_EQ(applied.status().code(), StatusCode::kPermissionDenied) << who.id;
    EXPECT_EQ(applied.status().message(), refused.status().message());
  }
  EXPECT_EQ(engine_->GetWorkflow(kAdmin, "pay")->version, 2u);
}

// Viewers, editors and starters come from the latest version (revoking takes effect at once,
// for runs of older versions too); a step's approvers and self_approval from the run's own.
TEST_F(AccessTest, LatestVersionsListsApplyApproversComeFromTheRunsVersion) {
  Apply(Flow(R"(, "approvers": ["erin"])"));
  std::string approval_id = PendingApprovalStartedBy(carol);
  Apply(Flow(R"(, "approvers": ["frank"])",
             R"("viewers": ["erin"], "starters": ["carol"], "editors": ["group:ops"])"));

  EXPECT_EQ(engine_->GetRun(bob, RunOf(approval_id)).status().code(), StatusCode::kNotFound)
      << "bob was a viewer of version 1 only";
  EXPECT_FALSE(engine_->MayView(bob, "pay"));
  Principal frank = User("frank");
  EXPECT_EQ(DecideAs(frank, approval_id).status().code(), StatusCode::kPermissionDenied)
      << "version 2's approvers do not decide runs of version 1";
  EXPECT_TRUE(DecideAs(erin, approval_id).ok()) << "the run's own version names erin";
}

TEST_F(AccessTest, TheInboxListsPendingApprovalsTheViewerMayDecide) {
  Apply(Flow(R"(, "approvers": ["carol", "erin"], "self_approval": false)"));
  std::string carols = PendingApprovalStartedBy(carol);
  std::string others = PendingApprovalStartedBy(dave);
  ASSERT_TRUE(DecideAs(erin, PendingApprovalStartedBy(dave)).ok());  // decided: not in an inbox

  auto inbox = [&](const Principal& who) {
    std::vector<std::string> ids;
    auto page = engine_->ListApprovals(who, {.decidable_by_viewer = true});
    for (const ApprovalView& approval : page->approvals) {
      ids.push_back(approval.id);
    }
    return ids;
  };
  EXPECT_EQ(inbox(carol), std::vector<std::string>{others}) << "not the one she started";
  // Newest first: by id, which orders by the start's millisecond (then the id's random part).
  EXPECT_EQ(inbox(erin), (std::vector<std::string>{std::max(others, carols),
                                                    std::min(others, carols)}));
  EXPECT_TRUE(inbox(dave).empty()) << "the step names its approvers: editors do not decide";
  EXPECT_TRUE(inbox(bob).empty());
  EXPECT_EQ(engine_->ListApprovals(bob, {})->approvals.size(), 3u) << "bob sees them all";
}

// What the dashboard shows under "who may decide": the step's approvers as written, else the
// editors; and for the caller whether they may decide it now, by the same rules as Decide.
TEST_F(AccessTest, DecidersNameWhoMayDecideAndWhetherTheViewerMayNow) {
  Apply(Flow());
  std::string by_editors = PendingApprovalStartedBy(carol);
  ApprovalView approval = *engine_->GetApproval(kAdmin, by_editors);
  EXPECT_EQ(engine_->Deciders(bob, approval).approvers, std::vector<std::string>{"group:ops"});
  EXPECT_FALSE(engine_->Deciders(bob, approval).can_decide) << "a viewer comments, no more";
  EXPECT_TRUE(engine_->Deciders(dave, approval).can_decide);
  EXPECT_TRUE(engine_->Deciders(kAdmin, approval).can_decide) << "admins always may";

  Apply(Flow(R"(, "approvers": ["erin", "group:leads", "*"], "self_approval": false)"));
  std::string named = PendingApprovalStartedBy(carol);
  approval = *engine_->GetApproval(kAdmin, named);
  EXPECT_EQ(approval.version, 2u);
  EXPECT_EQ(approval.started_by, "carol");
  EXPECT_EQ(engine_->Deciders(eve, approval).approvers,
            (std::vector<std::string>{"erin", "group:leads", "*"}));
  EXPECT_TRUE(engine_->Deciders(erin, approval).can_decide);
  EXPECT_FALSE(engine_->Deciders(carol, approval).can_decide) << "self_approval: false";
  EXPECT_EQ(DecideAs(carol, named).status().code(), StatusCode::kPermissionDenied)
      << "Deciders and Decide agree";
  ASSERT_TRUE(DecideAs(erin, named).ok());
  approval = *engine_->GetApproval(kAdmin, named);
  EXPECT_FALSE(engine_->Deciders(erin, approval).can_decide) << "decided: nobody may now";
  EXPECT_EQ(engine_->Deciders(erin, approval).approvers.size(), 3u);
  // Lists and the inbox read approvals from their records: the same fields come back.
  auto listed = engine_->ListApprovals(erin, {.status = ApprovalStatus::kApproved});
  ASSERT_EQ(listed->approvals.size(), 1u);
  EXPECT_EQ(listed->approvals[0], approval);
}

// The tab title's number: the pending approvals the viewer may decide, whatever their number,
// kept by the tally through requests, decisions, cancels and a restart.
TEST_F(AccessTest, CountDecidableFollowsRequestsDecisionsCancelsAndRestarts) {
  Apply(Flow(R"(, "approvers": ["carol", "erin"], "self_approval": false)"));
  std::string carols = PendingApprovalStartedBy(carol);
  std::string daves = PendingApprovalStartedBy(dave);
  std::string cancelled = PendingApprovalStartedBy(dave);
  auto count_matches_inbox = [&](const Principal& who) {
    size_t count = engine_->CountDecidable(who);
    EXPECT_EQ(count, engine_->ListApprovals(who, {.decidable_by_viewer = true})->approvals.size())
        << who.id;
    return count;
  };
  EXPECT_EQ(count_matches_inbox(erin), 3u);
  EXPECT_EQ(count_matches_inbox(carol), 2u) << "not the one she started";
  EXPECT_EQ(count_matches_inbox(dave), 0u) << "the step names its approvers";
  EXPECT_EQ(count_matches_inbox(kAdmin), 3u) << "admins started none of these: they may decide";
  ASSERT_TRUE(DecideAs(erin, daves).ok());
  ASSERT_TRUE(CancelAs(dave, RunOf(cancelled)).ok());
  EXPECT_EQ(count_matches_inbox(erin), 1u);
  EXPECT_EQ(count_matches_inbox(carol), 0u);

  Reopen();  // the tally is rebuilt from the approvals index
  EXPECT_EQ(count_matches_inbox(erin), 1u);
  EXPECT_EQ(count_matches_inbox(carol), 0u);
  std::string another = PendingApprovalStartedBy(dave);
  EXPECT_EQ(count_matches_inbox(carol), 1u);
  EXPECT_EQ(count_matches_inbox(erin), 2u);
  // Revoking takes effect at once: the count asks the rules, it does not remember answers.
  Apply(Flow(R"(, "approvers": ["erin"], "self_approval": false)",
             R"("viewers": ["bob"], "editors": ["group:ops"])"));
  EXPECT_EQ(count_matches_inbox(carol), 0u) << "carol is in no list of the latest version";
  ASSERT_TRUE(DecideAs(erin, another).ok());
  ASSERT_TRUE(DecideAs(erin, carols).ok());
  EXPECT_EQ(engine_->CountDecidable(erin), 0u);
}

// ?q=: a case-insensitive match in the message, the workflow's name and the show values.
TEST_F(AccessTest, ApprovalsAreFoundByTextInMessageWorkflowAndShownValues) {
  Apply(R"({"editors": ["group:ops"], "steps": [
    {"id": "review", "type": "approval", "message": "Settle {{input.amount}}?",
     "show": {"vendor": "{{input.vendor}}", "amount": "{{input.amount}}",
              "lines": [{"note": "{{input.note}}"}]}}]})");
  auto start = [&](std::string input) {
    auto started = Await<StartRunResult>([&](auto done) {
      StartRunCommand command{"pay", json::parse(input).as_object(), ""};
      command.actor = Actor{.principal = kAdmin};
      engine_->StartRun(std::move(command), done);
    });
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    return Run(started->run_id).pending_approvals.at(0).id;
  };
  std::string acme = start(R"({"amount": 7200, "vendor": "ACME Corp", "note": "Q3 fees"})");
  std::string globex = start(R"({"amount": 120, "vendor": "Globex", "note": "café ✓"})");
  auto found = [&](std::string text, const Principal& who = User("dave", {"ops"})) {
    std::vector<std::string> ids;
    auto page = engine_->ListApprovals(who, {.text = text});
    for (const ApprovalView& approval : page->approvals) ids.push_back(approval.id);
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(found("acme corp"), Ids{acme}) << "a show value, without case";
  EXPECT_EQ(found("SETTLE 72"), Ids{acme}) << "the message";
  EXPECT_EQ(found("7200"), Ids{acme}) << "a number, as people write it";
  EXPECT_EQ(found("q3 FEES"), Ids{acme}) << "nested in an array of objects";
  EXPECT_EQ(found("café ✓"), Ids{globex}) << "UTF-8 bytes as they are";
  EXPECT_EQ(found("PA"), (Ids{std::min(acme, globex), std::max(acme, globex)}))
      << "the workflow's name matches both";
  EXPECT_TRUE(found("vendor").empty()) << "keys are not searched";
  EXPECT_TRUE(found("acme", eve).empty()) << "only what the viewer may see";
}

}  // namespace
}  // namespace assent::engine::engine_testing
