#include "engine/internal/definition_checks.h"

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace assent::engine {
namespace {

using ::testing::HasSubstr;

// How `steps` (the JSON array's members) fare when applied: "(applies)" or the error. Each
// definition must parse, as stored definitions that break these rules still do.
std::string ApplyError(const std::string& steps) {
  auto parsed = ParseDefinition("wf", boost::json::parse(R"({"steps": [)" + steps + "]}"));
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (!parsed.ok()) return "(does not parse)";
  Status status = CheckNewDefinition(**parsed);
  EXPECT_EQ(status.code(), status.ok() ? StatusCode::kOk : StatusCode::kInvalidArgument);
  return status.ok() ? "(applies)" : status.message();
}

TEST(DefinitionChecksTest, AStepNoPathLeadsToIsRefused) {
  EXPECT_EQ(ApplyError(R"({"id": "a", "type": "code", "lua": "return 1", "next": "end"},
                          {"id": "b", "type": "code", "lua": "return 2"})"),
            "step 'b' can never run: no path from the first step 'a' leads to it");
  // After a condition only `then` and `else` lead on, never the following step.
  EXPECT_EQ(ApplyError(R"({"id": "c", "type": "condition", "if": "true", "then": "y", "else": "y"},
                          {"id": "x", "type": "code", "lua": "return 1"},
                          {"id": "y", "type": "code", "lua": "return 2"})"),
            "step 'x' can never run: no path from the first step 'c' leads to it");
  // A step that only unreachable steps lead to cannot run either.
  EXPECT_THAT(ApplyError(R"({"id": "a", "type": "code", "lua": "return 1", "next": "end"},
                            {"id": "b", "type": "code", "lua": "return 2", "next": "c"},
                            {"id": "c", "type": "code", "lua": "return 3"})"),
              HasSubstr("step 'b' can never run"));
}

TEST(DefinitionChecksTest, OnErrorIsAMoveOfTheFlow) {
  // The step only on_error leads to can run, and its template may read the failed step.
  EXPECT_EQ(ApplyError(R"({"id": "pay", "type": "http", "url": "http://127.0.0.1:9/p",
                           "on_error": "tell", "next": "end"},
                          {"id": "tell", "type": "http", "url": "http://127.0.0.1:9/t",
                           "body": {"why": "{{steps.pay.error}}"}})"),
            "(applies)");
  // A loop whose only way out is the failure fails the run: no way to "end".
  EXPECT_THAT(ApplyError(R"({"id": "poll", "type": "http", "url": "http://127.0.0.1:9/p",
                             "on_error": "poll", "next": "poll"})"),
              HasSubstr("no step of the loop"));
}

TEST(DefinitionChecksTest, StepsReachedByAnyKindOfMoveCanRun) {
  EXPECT_EQ(ApplyError(R"({"id": "a", "type": "code", "lua": "return 1", "next": "c"},
                          {"id": "b", "type": "code", "lua": "return 2", "next": "end"},
                          {"id": "c", "type": "condition", "if": "true", "then": "d", "else": "e"},
                          {"id": "d", "type": "approval", "message": "ok?", "on_reject": "b",
                           "next": "end"},
                          {"id": "e", "type": "code", "lua": "return 3"})"),
            "(applies)");
}

TEST(DefinitionChecksTest, ALoopThatNeverReachesEndIsRefusedByTheMoveBack) {
  EXPECT_EQ(ApplyError(R"({"id": "a", "type": "code", "lua": "return 1"},
                          {"id": "b", "type": "code", "lua": "return 2"},
                          {"id": "c", "type": "code", "lua": "return 3", "next": "b"})"),
            "step 'c': 'next' goes back to 'b', and no step of the loop b -> c -> b leads to "
            "'end'");
  EXPECT_EQ(ApplyError(R"({"id": "a", "type": "code", "lua": "return 1", "next": "a"})"),
            "step 'a': 'next' goes back to 'a', and no step of the loop a -> a leads to 'end'");
  // Both branches stay in the loop.
  EXPECT_EQ(ApplyError(R"({"id": "poll", "type": "http", "url": "http://127.0.0.1/x"},
                          {"id": "c", "type": "condition", "if": "true", "then": "poll",
                           "else": "poll"})"),
            "step 'c': 'then' goes back to 'poll', and no step of the loop poll -> c -> poll "
            "leads to 'end'");
  // A rejection without `on_reject` fails the run: that is no way out.
  EXPECT_EQ(ApplyError(R"({"id": "draft", "type": "code", "lua": "return 1"},
                          {"id": "review", "type": "approval", "message": "ok?",
                           "next": "draft"})"),
            "step 'review': 'next' goes back to 'draft', and no step of the loop draft -> review "
            "-> draft leads to 'end'");
}

TEST(DefinitionChecksTest, LoopsWithAWayToEndApply) {
  // The agent feedback loop: a rejection sends the draft back to be written again.
  EXPECT_EQ(ApplyError(R"({"id": "draft", "type": "code", "lua": "return 1"},
                          {"id": "review", "type": "approval", "message": "{{steps.draft}}",
                           "on_reject": "draft"},
                          {"id": "send", "type": "http", "url": "http://127.0.0.1/send",
                           "body": {"text": "{{steps.draft}}",
                                    "note": "{{steps.review.comment}}"}})"),
            "(applies)");
  // Polling until a condition lets the run go on.
  EXPECT_EQ(ApplyError(R"({"id": "poll", "type": "http", "url": "http://127.0.0.1/x"},
                          {"id": "done", "type": "condition", "if": "steps.poll.ready",
                           "then": "end", "else": "poll"})"),
            "(applies)");
}

TEST(DefinitionChecksTest, TemplatesNamingNoStepAreRefused) {
  EXPECT_EQ(ApplyError(R"({"id": "a", "type": "code", "lua": "return 1"},
                          {"id": "r", "type": "approval",
                           "message": "Pay {{steps.extrct.amount}}?"})"),
            "step 'r': 'message' refers to steps.extrct, which is not a step of this workflow");
  EXPECT_EQ(ApplyError(R"({"id": "a", "type": "code", "lua": "return 1"},
                          {"id": "p", "type": "http", "url": "http://127.0.0.1/x",
                           "headers": {"X-Id": "{{ steps.b.id }}"}})"),
            "step 'p': header 'X-Id' refers to steps.b, which is not a step of this workflow");
  EXPECT_EQ(ApplyError(R"({"id": "w", "type": "wait", "until": "{{steps.plan.at}}"},
                          {"id": "plan", "type": "code", "lua": "return {at = 0}"})"),
            "step 'w': 'until' refers to steps.plan, which cannot have run before it: no path "
            "leads from 'plan' to 'w'");
}

TEST(DefinitionChecksTest, TemplatesNamingAStepThatCannotHaveRunYetAreRefused) {
  EXPECT_EQ(ApplyError(R"({"id": "r", "type": "approval", "message": "ok?",
                           "show": {"total": "{{steps.sum.total}}"}},
                          {"id": "sum", "type": "code", "lua": "return {total = 1}"})"),
            "step 'r': 'show' refers to steps.sum, which cannot have run before it: no path "
            "leads from 'sum' to 'r'");
  // The other branch of a condition never runs before this one.
  EXPECT_EQ(ApplyError(R"({"id": "c", "type": "condition", "if": "true", "then": "x", "else": "y"},
                          {"id": "x", "type": "code", "lua": "return 1", "next": "end"},
                          {"id": "y", "type": "http", "url": "http://127.0.0.1/{{steps.x}}"})"),
            "step 'y': 'url' refers to steps.x, which cannot have run before it: no path leads "
            "from 'x' to 'y'");
  // Nor does the step itself, outside a loop.
  EXPECT_EQ(ApplyError(R"({"id": "p", "type": "http", "url": "http://127.0.0.1/x",
                           "body": ["{{steps.p.id}}"]})"),
            "step 'p': 'body' refers to steps.p, which cannot have run before it: no path leads "
            "from 'p' to 'p'");
}

TEST(DefinitionChecksTest, TemplatesNamingAStepSomePathsRunApply) {
  // Only when the amount is large does `review` run before `pay`: when it did not, rendering
  // fails the step as any unknown path does.
  EXPECT_EQ(ApplyError(R"({"id": "c", "type": "condition", "if": "true", "then": "review",
                           "else": "pay"},
                          {"id": "review", "type": "approval", "message": "ok?"},
                          {"id": "pay", "type": "http", "url": "http://127.0.0.1/x",
                           "body": {"by": "{{steps.review.reviewer}}", "all": "{{steps}}"}})"),
            "(applies)");
  // In a loop a step sees what it gave the time before.
  EXPECT_EQ(ApplyError(R"({"id": "review", "type": "approval",
                           "message": "{{steps.review.comment}}", "on_reject": "review"})"),
            "(applies)");
}

TEST(DefinitionChecksTest, TheChecksRunInOrderAndReportTheFirstProblem) {
  // Unreachable before looping: `b` both cannot run and cannot end.
  EXPECT_THAT(ApplyError(R"({"id": "a", "type": "code", "lua": "return 1", "next": "end"},
                            {"id": "b", "type": "code", "lua": "return 2", "next": "b"})"),
              HasSubstr("step 'b' can never run"));
}

}  // namespace
}  // namespace assent::engine
