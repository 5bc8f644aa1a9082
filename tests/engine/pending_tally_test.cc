// PendingTally (engine/internal/pending_tally.h) and the `text` filter's matcher
// (approval_text_match.h) on their own; the engine's access_test drives both through the
// engine, with the access rules and a restart.
#include "engine/internal/pending_tally.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "engine/internal/approval_text_match.h"

namespace assent::engine {
namespace {

using Kind = ApprovalNotification::Kind;

ApprovalView Approval(std::string step, std::string started_by) {
  ApprovalView approval;
  approval.workflow = "pay";
  approval.version = 1;
  approval.step_id = std::move(step);
  approval.started_by = std::move(started_by);
  return approval;
}

TEST(PendingTallyTest, CountsRequestsLessDecisionsAndCancelsPerGroup) {
  PendingTally tally;
  for (int i = 0; i < 3; ++i) tally.Follow({Kind::kRequested, Approval("review", "carol")});
  tally.Follow({Kind::kRequested, Approval("review", "dave")});
  tally.Follow({Kind::kRequested, Approval("sign", "carol")});
  tally.Follow({Kind::kCommentAdded, Approval("review", "carol")});  // changes nothing
  tally.Follow({Kind::kDecided, Approval("review", "carol")});
  tally.Follow({Kind::kCancelled, Approval("sign", "carol")});
  auto all = [](const PendingTally::Group&) { return true; };
  EXPECT_EQ(tally.Count("carol", all), 3u);
  EXPECT_EQ(tally.Count("carol", [](const PendingTally::Group& group) {
              return group.started_by != "carol";
            }),
            1u);
  EXPECT_EQ(tally.Count("carol", [](const PendingTally::Group& group) { return group.step_id == "sign"; }),
            0u);
  // A decision the tally never saw requested (impossible once filled at start) takes nothing
  // below zero.
  tally.Follow({Kind::kDecided, Approval("other", "erin")});
  EXPECT_EQ(tally.Count("carol", all), 3u);
}

ApprovalView WithVotes(ApprovalView approval, std::vector<std::string> reviewers) {
  for (std::string& reviewer : reviewers) {
    approval.decisions.push_back({Decision::kApprove, std::move(reviewer), "", 0});
  }
  return approval;
}

TEST(PendingTallyTest, AReviewersCountLeavesOutTheApprovalsTheyVotedOnUntilTheyEnd) {
  PendingTally tally;
  auto all = [](const PendingTally::Group&) { return true; };
  tally.Add(WithVotes(Approval("review", "carol"), {"alice"}));  // as filled at start
  tally.Follow({Kind::kRequested, Approval("review", "carol")});
  tally.Follow({Kind::kRequested, Approval("review", "carol")});
  tally.Follow({Kind::kVoted, WithVotes(Approval("review", "carol"), {"bob"}), 0, "bob"});
  EXPECT_EQ(tally.Count("alice", all), 2u);
  EXPECT_EQ(tally.Count("bob", all), 2u);
  EXPECT_EQ(tally.Count("erin", all), 3u);
  // alice's approval is decided by bob (his vote was the deciding one: not a vote to drop).
  tally.Follow({Kind::kDecided, WithVotes(Approval("review", "carol"), {"alice", "bob"}), 0,
                "bob"});
  EXPECT_EQ(tally.Count("alice", all), 2u);
  EXPECT_EQ(tally.Count("bob", all), 1u);
  EXPECT_EQ(tally.Count("erin", all), 2u);
  // The one bob voted on times out: both his vote and the approval leave the tally.
  tally.Follow({Kind::kTimedOut, WithVotes(Approval("review", "carol"), {"bob"})});
  EXPECT_EQ(tally.Count("bob", all), 1u);
  EXPECT_EQ(tally.Count("erin", all), 1u);
}

TEST(ApprovalMentionsTest, MatchesMessageWorkflowAndShownValuesIgnoringAsciiCase) {
  ApprovalView approval = Approval("review", "carol");
  approval.message = "Pay 7200 to ACME?";
  approval.show = boost::json::parse(
                      R"({"vendor": "Acme Corp", "amount": 7200.5, "urgent": true,
                          "lines": [{"note": "Q3 fees"}], "none": null, "é": "Ünïcode"})")
                      .as_object();
  for (const char* found : {"", "pay 7200", "PAY", "acme corp", "7200.5", "true", "q3 FEES",
                            "Ünïcode"}) {
    EXPECT_TRUE(ApprovalMentions(approval, found)) << found;
  }
  for (const char* missing : {"vendor", "null", "é", "ünïcode", "Acme  Corp", "review"}) {
    EXPECT_FALSE(ApprovalMentions(approval, missing)) << missing;
  }
}

}  // namespace
}  // namespace assent::engine
