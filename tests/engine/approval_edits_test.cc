// Approve with edits: a decision's `edits` replace fields of what the approval shows, within its
// step's `edits` rule; later steps read the approved values as steps.<id>.show; the decision's
// event keeps the edits, the show as reviewed and the diff. Every refusal records nothing. Each
// test ends with the replay-equality check (EngineTest).
#include <gtest/gtest.h>

#include <string>

#include "tests/engine/engine_fixture.h"

namespace assent::engine::engine_testing {
namespace {

// alice edits; the review step takes the `edits` rule (and anything else) the test gives.
std::string EditFlow(const std::string& rule) {
  return R"({"editors": ["alice", "bob"], "steps": [
    {"id": "review", "type": "approval", "message": "Pay?",
     "show": {"amount": "{{input.amount}}", "vendor": "{{input.vendor}}", "note": "as invoiced"})" +
         rule + R"(},
    {"id": "pay", "type": "code", "lua": "return {amount = steps.review.show.amount, vendor = steps.review.show.vendor}"}
  ]})";
}

class ApprovalEditsTest : public EngineTest {
 protected:
  // A run of "pay" with amount 7200 from ACME: its pending approval's id.
  std::string StartReview(const std::string& rule = R"(, "edits": true)") {
    ApplyWorkflow("pay", EditFlow(rule));
    run_id_ = Start("pay", R"({"amount": 7200, "vendor": "ACME"})");
    RunView run = Run(run_id_);
    EXPECT_EQ(run.pending_approvals.size(), 1u);
    return run.pending_approvals.empty() ? "" : run.pending_approvals[0].id;
  }

  Result<ApprovalView> ApproveWithEdits(const std::string& approval_id, const std::string& edits,
                                        const std::string& who = "alice") {
    return Await<ApprovalView>([&](auto done) {
      engine_->Decide(DecideCommand{approval_id, Decision::kApprove, {.principal = User(who)},
                                    "with a fix", json::parse(edits).as_object()},
                      done);
    });
  }

  // A refused decision leaves the approval pending, with no decision recorded.
  void ExpectRefused(const std::string& approval_id, const std::string& edits, StatusCode code,
                     const std::string& says) {
    auto decided = ApproveWithEdits(approval_id, edits);
    ASSERT_FALSE(decided.ok()) << edits;
    EXPECT_EQ(decided.status().code(), code) << decided.status().ToString();
    EXPECT_NE(decided.status().message().find(says), std::string::npos)
        << decided.status().message();
    auto approval = engine_->GetApproval(kAdmin, approval_id);
    ASSERT_TRUE(approval.ok());
    EXPECT_EQ(approval->status, ApprovalStatus::kPending);
    EXPECT_TRUE(approval->decisions.empty());
  }

  std::string run_id_;
};

TEST_F(ApprovalEditsTest, LaterStepsSeeTheEditedValuesAndTheEventKeepsOriginalEditAndDiff) {
  std::string approval_id = StartReview();
  auto decided = ApproveWithEdits(approval_id, R"({"amount": 6500, "note": "agreed discount"})");
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->status, ApprovalStatus::kApproved);
  EXPECT_EQ(decided->show.at("amount"), 7200);  // the approval keeps what it showed
  ASSERT_EQ(decided->decisions.size(), 1u);
  EXPECT_EQ(decided->decisions[0].edits, json::parse(R"({"amount": 6500, "note": "agreed discount"})"));
  EXPECT_EQ(decided->ApprovedShow().at("amount"), 6500);

  RunView run = Run(run_id_);
  EXPECT_EQ(run.status, RunStatus::kCompleted);
  EXPECT_EQ(run.steps.at("pay"), json::parse(R"({"amount": 6500, "vendor": "ACME"})"));
  const json::object& review = run.steps.at("review").as_object();
  EXPECT_EQ(review.at("show"),
            json::parse(R"({"amount": 6500, "vendor": "ACME", "note": "agreed discount"})"));
  EXPECT_EQ(review.at("edits").as_array().size(), 2u);

  auto events = engine_->GetEvents(kAdmin, run_id_);
  ASSERT_TRUE(events.ok());
  const EventView* decision = nullptr;
  for (const EventView& event : *events) {
    if (event.type == "approval.decided") decision = &event;
  }
  ASSERT_NE(decision, nullptr);
  EXPECT_EQ(decision->fields.at("edits"),
            json::parse(R"({"amount": 6500, "note": "agreed discount"})"));
  EXPECT_EQ(decision->fields.at("show_before"),
            json::parse(R"({"amount": 7200, "vendor": "ACME", "note": "as invoiced"})"));
  EXPECT_EQ(decision->fields.at("edit_diff"), json::parse(R"([
    {"path": "/amount", "op": "changed", "before": 7200, "after": 6500},
    {"path": "/note", "op": "changed", "before": "as invoiced", "after": "agreed discount"}])"));
}

TEST_F(ApprovalEditsTest, WithoutEditsTheOutputShowsWhatWasApprovedAndNoDiff) {
  std::string approval_id = StartReview();
  auto decided = DecideAs(User("alice"), approval_id);
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  RunView run = Run(run_id_);
  const json::object& review = run.steps.at("review").as_object();
  EXPECT_EQ(review.at("show"),
            json::parse(R"({"amount": 7200, "vendor": "ACME", "note": "as invoiced"})"));
  EXPECT_FALSE(review.contains("edits"));
  EXPECT_EQ(run.steps.at("pay").at("amount"), 7200);
}

TEST_F(ApprovalEditsTest, EditsThatRepeatTheShownValuesRecordNoEdit) {
  std::string approval_id = StartReview();
  auto decided = ApproveWithEdits(approval_id, R"({"amount": 7200})");
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  ASSERT_EQ(decided->decisions.size(), 1u);
  EXPECT_TRUE(decided->decisions[0].edits.empty());
  EXPECT_FALSE(Run(run_id_).steps.at("review").as_object().contains("edits"));
}

TEST_F(ApprovalEditsTest, AStepTakesNoEditsUnlessItsDefinitionSaysSo) {
  for (const std::string rule : {"", R"(, "edits": false)"}) {
    std::string approval_id = StartReview(rule);
    ExpectRefused(approval_id, R"({"amount": 1})", StatusCode::kInvalidArgument,
                  "step 'review' takes no edits");
    auto approved = DecideAs(User("alice"), approval_id);  // a plain approval still decides
    ASSERT_TRUE(approved.ok()) << approved.status().ToString();
    RunView run = Run(run_id_);
    EXPECT_EQ(run.status, RunStatus::kFailed) << "pay reads steps.review.show, absent here";
    EXPECT_FALSE(run.steps.at("review").as_object().contains("show")) << rule;
  }
}

TEST_F(ApprovalEditsTest, NamedFieldsOnlyAndOnlyFieldsTheApprovalShows) {
  std::string approval_id = StartReview(R"(, "edits": ["amount", "note"])");
  ExpectRefused(approval_id, R"({"vendor": "Evil Corp"})", StatusCode::kInvalidArgument,
                "step 'review' allows edits only to amount, note, not to 'vendor'");
  ExpectRefused(approval_id, R"({"iban": "DE00"})", StatusCode::kInvalidArgument,
                "shows no field 'iban'");
  auto decided = ApproveWithEdits(approval_id, R"({"amount": 7000})");
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(Run(run_id_).steps.at("pay").at("amount"), 7000);
}

TEST_F(ApprovalEditsTest, ARejectionOrAQuorumVoteTakesNoEdits) {
  std::string approval_id = StartReview(R"(, "quorum": 2, "edits": true)");
  ExpectRefused(approval_id, R"({"amount": 1})", StatusCode::kInvalidArgument,
                "edits are taken only where one approval decides");
  auto rejected = Await<ApprovalView>([&](auto done) {
    engine_->Decide(DecideCommand{approval_id, Decision::kReject, {.principal = User("alice")},
                                  "no", json::parse(R"({"amount": 1})").as_object()},
                    done);
  });
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ApprovalEditsTest, AnEditedShowOverTheShowLimitIsRefused) {
  Reopen({.http_retry_backoff_ms = 1, .max_approval_show_bytes = 200});
  std::string approval_id = StartReview();
  ExpectRefused(approval_id, R"({"note": ")" + std::string(300, 'x') + R"("})",
                StatusCode::kTooLarge, "max_approval_show_bytes");
}

TEST_F(ApprovalEditsTest, TheEditsSurviveARestartAndTheDecidersSayWhatMayBeEdited) {
  std::string approval_id = StartReview(R"(, "edits": ["amount"])");
  auto pending = engine_->GetApproval(kAdmin, approval_id);
  ASSERT_TRUE(pending.ok());
  DecidersView deciders = engine_->Deciders(User("alice"), *pending);
  EXPECT_TRUE(deciders.edits_allowed);
  EXPECT_EQ(deciders.editable_fields, std::vector<std::string>{"amount"});

  ASSERT_TRUE(ApproveWithEdits(approval_id, R"({"amount": 100})").ok());
  Reopen();
  auto approval = engine_->GetApproval(kAdmin, approval_id);
  ASSERT_TRUE(approval.ok()) << approval.status().ToString();
  ASSERT_EQ(approval->decisions.size(), 1u);
  EXPECT_EQ(approval->decisions[0].edits, json::parse(R"({"amount": 100})"));
  EXPECT_EQ(approval->decisions[0].edit_diff.size(), 1u);
  EXPECT_EQ(Run(run_id_).steps.at("pay").at("amount"), 100);
}

TEST_F(ApprovalEditsTest, TheEditsRuleIsValidatedWhenTheWorkflowIsApplied) {
  const std::pair<std::string, std::string> cases[] = {
      {R"(, "edits": ["iban"])", "'edits' names 'iban', which 'show' does not have"},
      {R"(, "edits": "amount")", "'edits' must be true, false or a non-empty list"},
      {R"(, "edits": [])", "'edits' must be true, false or a non-empty list"},
      {R"(, "edits": ["amount", "amount"])", "'edits' names 'amount' twice"},
  };
  for (const auto& [rule, says] : cases) {
    auto applied = engine_->ApplyWorkflow(kAdmin, "pay", json::parse(EditFlow(rule)));
    ASSERT_FALSE(applied.ok()) << rule;
    EXPECT_NE(applied.status().message().find("step 'review': " + says), std::string::npos)
        << applied.status().message();
  }
}

}  // namespace
}  // namespace assent::engine::engine_testing
