// Runs' durable timers: approval timeouts (an approval step's `timeout` and `on_timeout`: each
// outcome) and wait steps (`for`, `until`), across restarts, and the timers a decision, a
// wake-up or a cancel disarms. The engine's clock is the test's: it moves past a due time, and
// the timers look at it every few ms.
#include <algorithm>

#include "engine/internal/time_text.h"
#include "tests/engine/clocked_engine_fixture.h"

#include <gmock/gmock.h>

namespace assent::engine::engine_testing {
namespace {

std::string TimedFlow(const std::string& on_timeout) {
  std::string timeout = R"("timeout": "1h")";
  if (!on_timeout.empty()) timeout += R"(, "on_timeout": ")" + on_timeout + "\"";
  return R"({"steps": [
    {"id": "draft", "type": "code", "lua": "return {text = 'v' .. ((steps.review and 2) or 1)}"},
    {"id": "review", "type": "approval", "message": "Send {{steps.draft.text}}?", )" +
         timeout + R"(, "on_reject": "revised"},
    {"id": "send", "type": "code", "lua": "return {sent = steps.draft.text, by = steps.review.decision}", "next": "end"},
    {"id": "revised", "type": "code", "lua": "return {revised = true, timed_out = steps.review.timed_out}"}
  ]})";
}

class TimersTest : public ClockedEngineTest {
 protected:
  // Cancels the run, which must take its timer out of the index, then restarts the engine with
  // the clock past any due time: a timer left behind would fire now.
  void CancelThenRestartPastTheDueTime(const std::string& run_id) {
    auto cancelled = Await<RunView>([&](auto done) {
      engine_->Cancel(CancelCommand{run_id, ActorNamed("alice"), "not needed"}, done);
    });
    ASSERT_TRUE(cancelled.ok()) << cancelled.status().ToString();
    EXPECT_TRUE(TimerEntries().empty());
    now_ += 2 * kHour;
    ReopenWithClock();
  }

  bool Finished(const std::string& run_id) {
    RunStatus status = Run(run_id).status;
    return status == RunStatus::kCompleted || status == RunStatus::kFailed ||
           status == RunStatus::kCancelled;
  }

  size_t Count(const std::vector<std::string>& types, const std::string& type) {
    return static_cast<size_t>(std::count(types.begin(), types.end(), type));
  }
};

TEST_F(TimersTest, ARequestRecordsItsDueTimeAndArmsATimer) {
  ApplyWorkflow("mail", TimedFlow(""));
  std::string run_id = Start("mail", "{}");
  std::string approval_id = PendingApproval(run_id);
  auto approval = engine_->GetApproval(kAdmin, approval_id);
  ASSERT_TRUE(approval.ok()) << approval.status().ToString();
  EXPECT_EQ(approval->due_at_ms, kStart + kHour);
  EXPECT_EQ(TimerEntries(), (std::vector<std::pair<int64_t, std::string>>{
                                {kStart + kHour, approval_id}}));
  auto events = engine_->GetEvents(kAdmin, run_id);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->back().type, "approval.requested");
  EXPECT_EQ(events->back().fields.at("timeout"), "1h");
}

TEST_F(TimersTest, NothingFiresBeforeTheDueTime) {
  ApplyWorkflow("mail", TimedFlow(""));
  std::string run_id = Start("mail", "{}");
  now_ += kHour - 1;
  // A decision goes through the same shard as a timeout would: once it is answered, a timer
  // that had fired at kHour - 1 would have been recorded before it.
  auto decided = DecideOn(PendingApproval(run_id), Decision::kApprove);
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->status, ApprovalStatus::kApproved);
  EXPECT_EQ(Count(EventTypes(run_id), "approval.timed_out"), 0u);
  EXPECT_EQ(Run(run_id).status, RunStatus::kCompleted);
}

TEST_F(TimersTest, FailByDefaultFailsTheRunAndSaysWhy) {
  ApplyWorkflow("mail", TimedFlow(""));
  std::string run_id = Start("mail", "{}");
  std::string approval_id = PendingApproval(run_id);
  now_ += kHour;
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); })) << "the timeout never fired";
  RunView run = Run(run_id);
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_EQ(run.error, "approval " + approval_id + " was not decided within 1h");
  auto approval = engine_->GetApproval(kAdmin, approval_id);
  ASSERT_TRUE(approval.ok());
  EXPECT_EQ(approval->status, ApprovalStatus::kTimedOut);
  EXPECT_EQ(EventTypes(run_id).back(), "run.failed");
  EXPECT_EQ(Count(EventTypes(run_id), "approval.timed_out"), 1u);
  EXPECT_TRUE(TimerEntries().empty());
}

TEST_F(TimersTest, ApproveGoesOnAsIfApprovedAndSaysItTimedOut) {
  ApplyWorkflow("mail", TimedFlow("approve"));
  std::string run_id = Start("mail", "{}");
  now_ += kHour + 5'000;
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); })) << "the timeout never fired";
  RunView run = Run(run_id);
  ASSERT_EQ(run.status, RunStatus::kCompleted) << run.error;
  EXPECT_EQ(run.steps.at("review").at("decision"), "approve");
  EXPECT_EQ(run.steps.at("review").at("timed_out"), true);
  EXPECT_EQ(run.steps.at("review").at("waited"), "1h");
  EXPECT_EQ(run.steps.at("send").at("by"), "approve");
  auto events = engine_->GetEvents(kAdmin, run_id);
  ASSERT_TRUE(events.ok());
  auto timed_out = std::find_if(events->begin(), events->end(), [](const EventView& event) {
    return event.type == "approval.timed_out";
  });
  ASSERT_NE(timed_out, events->end());
  EXPECT_EQ(timed_out->fields.at("action"), "approve");
  EXPECT_EQ(timed_out->at_ms, kStart + kHour + 5'000);
}

TEST_F(TimersTest, RejectTakesTheOnRejectPath) {
  ApplyWorkflow("mail", TimedFlow("reject"));
  std::string run_id = Start("mail", "{}");
  now_ += 2 * kHour;
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); })) << "the timeout never fired";
  RunView run = Run(run_id);
  ASSERT_EQ(run.status, RunStatus::kCompleted) << run.error;
  EXPECT_EQ(run.steps.at("review").at("decision"), "reject");
  EXPECT_EQ(run.steps.at("revised").at("timed_out"), true);
}

TEST_F(TimersTest, ADecisionDisarmsTheTimer) {
  ApplyWorkflow("mail", TimedFlow(""));
  std::string run_id = Start("mail", "{}");
  ASSERT_EQ(TimerEntries().size(), 1u);
  ASSERT_TRUE(DecideOn(PendingApproval(run_id), Decision::kReject, "shorter").ok());
  EXPECT_TRUE(TimerEntries().empty());
  now_ += 2 * kHour;
  // The disarmed timer is gone from the index, so a restart past its due time finds nothing.
  ReopenWithClock();
  std::string other = Start("mail", "{}");  // a new run's commit: the restarted engine is up
  EXPECT_EQ(Count(EventTypes(run_id), "approval.timed_out"), 0u);
  EXPECT_EQ(Run(run_id).status, RunStatus::kCompleted);
  EXPECT_EQ(Run(other).status, RunStatus::kWaiting);
}

TEST_F(TimersTest, ACancelDisarmsTheTimer) {
  ApplyWorkflow("mail", TimedFlow(""));
  std::string run_id = Start("mail", "{}");
  CancelThenRestartPastTheDueTime(run_id);
  EXPECT_EQ(Count(EventTypes(run_id), "approval.timed_out"), 0u);
  EXPECT_EQ(Run(run_id).status, RunStatus::kCancelled);
}

TEST_F(TimersTest, ATimerDueWhileTheEngineWasDownFiresOnceAtTheRestart) {
  ApplyWorkflow("mail", TimedFlow(""));
  std::string run_id = Start("mail", "{}");
  engine_.reset();  // down before the due time
  now_ += 3 * kHour;
  ReopenWithClock();
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); })) << "the timeout never fired";
  ReopenWithClock();  // and once more: nothing fires twice
  std::string other = Start("mail", "{}");
  std::vector<std::string> types = EventTypes(run_id);
  EXPECT_EQ(Count(types, "approval.timed_out"), 1u);
  EXPECT_EQ(Count(types, "run.failed"), 1u);
  EXPECT_EQ(Run(other).status, RunStatus::kWaiting);
}

TEST_F(TimersTest, ATimerArmedBeforeARestartFiresAfterIt) {
  ApplyWorkflow("mail", TimedFlow("approve"));
  std::string run_id = Start("mail", "{}");
  ReopenWithClock();
  now_ += kHour;
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); })) << "the timeout never fired";
  EXPECT_EQ(Run(run_id).status, RunStatus::kCompleted);
}

TEST_F(TimersTest, ManyTimersDueInTheSameMillisecondAllFire) {
  ApplyWorkflow("mail", TimedFlow(""));
  std::vector<std::string> runs;
  for (int i = 0; i < 50; ++i) runs.push_back(Start("mail", "{}"));
  now_ += kHour;
  ASSERT_TRUE(Eventually([&] {
    return std::all_of(runs.begin(), runs.end(), [&](const std::string& run_id) {
      return Finished(run_id);
    });
  })) << "not every timeout fired";
  for (const std::string& run_id : runs) {
    EXPECT_EQ(Count(EventTypes(run_id), "approval.timed_out"), 1u) << run_id;
  }
  EXPECT_TRUE(TimerEntries().empty());
}

TEST_F(TimersTest, VerifyNamesAMissingOrStrayTimer) {
  ApplyWorkflow("mail", TimedFlow(""));
  std::string run_id = Start("mail", "{}");
  std::string approval_id = PendingApproval(run_id);
  Result<VerifyReport> sound = VerifyLog(log_);
  ASSERT_TRUE(sound.ok());
  EXPECT_TRUE(sound->problems.empty());
  engine_.reset();
  // The timer moves to another due time: one entry missing, one stray.
  storage::AppendBatch damage;
  damage.index_ops.push_back(
      {storage::Index::kTimers, TimerKey(kStart + kHour, approval_id), {}});
  damage.index_ops.push_back(
      {storage::Index::kTimers, TimerKey(kStart, approval_id), run_id});
  std::promise<Status> written;
  log_.Append(std::move(damage), [&written](Status status, uint64_t) { written.set_value(status); });
  ASSERT_TRUE(written.get_future().get().ok());
  Result<VerifyReport> damaged = VerifyLog(log_);
  ASSERT_TRUE(damaged.ok());
  ASSERT_EQ(damaged->problems.size(), 2u);
  EXPECT_THAT(damaged->problems[0],
              ::testing::HasSubstr("timer " + approval_id + " is due but not in the timers index"));
  EXPECT_THAT(damaged->problems[1], ::testing::HasSubstr("timers index: 1 entries"));
  ReopenWithClock();  // for TearDown's replay check, which wants an engine that can stop
}

std::string WaitFlow(const std::string& wait) {
  return R"({"steps": [
    {"id": "pause", "type": "wait", )" + wait + R"(},
    {"id": "after", "type": "code", "lua": "return {woke = steps.pause.woke_at}"}
  ]})";
}

TEST_F(TimersTest, AWaitForADurationWakesWhenItsTimeComes) {
  ApplyWorkflow("nap", WaitFlow(R"("for": "10m")"));
  std::string run_id = Start("nap", "{}");
  EXPECT_EQ(Run(run_id).status, RunStatus::kRunning);
  EXPECT_EQ(TimerEntries(), (std::vector<std::pair<int64_t, std::string>>{
                                {kStart + 600'000, run_id + ".2"}}));
  auto events = engine_->GetEvents(kAdmin, run_id);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->back().type, "step.started");
  EXPECT_EQ(events->back().fields.at("wake_at"), FormatRfc3339(kStart + 600'000).c_str());
  // assent verify expects the sleeping wait's timer, and no other.
  auto verified = VerifyLog(log_);
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->problems.empty()) << verified->problems.front();
  now_ += 600'000 - 1;
  // A decision-free way to see nothing fired yet: the run is still where it was after a restart.
  ReopenWithClock();
  EXPECT_EQ(Run(run_id).status, RunStatus::kRunning);
  now_ += 1;
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); })) << "the wait never woke";
  RunView run = Run(run_id);
  EXPECT_EQ(run.status, RunStatus::kCompleted);
  EXPECT_EQ(run.steps.at("pause").at("woke_at"), FormatRfc3339(kStart + 600'000).c_str());
  EXPECT_EQ(Count(EventTypes(run_id), "step.started"), 1u) << "the restart did not start it again";
  EXPECT_TRUE(TimerEntries().empty());
}

TEST_F(TimersTest, AWaitUntilATimeFromTheRunsDataWakesThen) {
  ApplyWorkflow("nap", WaitFlow(R"("until": "{{input.send_at}}")"));
  std::string iso = Start("nap", R"({"send_at": "2027-01-15T09:00:00.500+01:00"})");
  std::string ms = Start("nap", R"({"send_at": )" + std::to_string(kStart + kHour) + "}");
  auto due = ParseRfc3339("2027-01-15T09:00:00.500+01:00");
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  const int64_t iso_due = *due;
  ASSERT_GT(iso_due, kStart);
  EXPECT_EQ(TimerEntries().size(), 2u);
  now_ = std::max(iso_due, kStart + kHour);
  ASSERT_TRUE(Eventually([&] { return Finished(iso) && Finished(ms); })) << "a wait never woke";
  EXPECT_EQ(Run(iso).steps.at("pause").at("woke_at"), FormatRfc3339(iso_due).c_str());
  EXPECT_EQ(Run(ms).steps.at("pause").at("woke_at"), FormatRfc3339(kStart + kHour).c_str());
}

TEST_F(TimersTest, AWaitForATimePastGoesOnAtOnce) {
  ApplyWorkflow("nap", WaitFlow(R"("until": "{{input.send_at}}")"));
  std::string run_id = Start("nap", R"({"send_at": "2020-01-01T00:00:00Z"})");
  RunView run = Run(run_id);
  EXPECT_EQ(run.status, RunStatus::kCompleted);
  EXPECT_EQ(run.steps.at("pause").at("woke_at"), "2020-01-01T00:00:00.000Z");
  EXPECT_TRUE(TimerEntries().empty());
}

TEST_F(TimersTest, AnUntilThatIsNoTimeFailsTheRunSayingWhy) {
  ApplyWorkflow("nap", WaitFlow(R"("until": "{{input.send_at}}")"));
  RunView text = Run(Start("nap", R"({"send_at": "tomorrow"})"));
  EXPECT_EQ(text.status, RunStatus::kFailed);
  EXPECT_THAT(text.error, ::testing::HasSubstr("\"tomorrow\" is not an RFC 3339 time"));
  RunView other = Run(Start("nap", R"({"send_at": true})"));
  EXPECT_EQ(other.status, RunStatus::kFailed);
  EXPECT_THAT(other.error, ::testing::HasSubstr("a time is RFC 3339 text or an integer"));
}

TEST_F(TimersTest, ACancelDisarmsAWait) {
  ApplyWorkflow("nap", WaitFlow(R"("for": "1h")"));
  std::string run_id = Start("nap", "{}");
  ASSERT_EQ(TimerEntries().size(), 1u);
  CancelThenRestartPastTheDueTime(run_id);
  EXPECT_EQ(Run(run_id).status, RunStatus::kCancelled);
  EXPECT_EQ(Count(EventTypes(run_id), "step.completed"), 0u);
}

TEST_F(TimersTest, AWaitDueWhileTheEngineWasDownWakesOnceAtTheRestart) {
  ApplyWorkflow("nap", WaitFlow(R"("for": "1h")"));
  std::string run_id = Start("nap", "{}");
  engine_.reset();
  now_ += 5 * kHour;
  ReopenWithClock();
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); })) << "the wait never woke";
  ReopenWithClock();
  std::string other = Start("nap", "{}");  // the restarted engine is up
  EXPECT_EQ(Count(EventTypes(run_id), "step.completed"), 2u);  // pause, after
  EXPECT_EQ(Run(run_id).status, RunStatus::kCompleted);
  EXPECT_EQ(Run(other).status, RunStatus::kRunning);
}

}  // namespace
}  // namespace assent::engine::engine_testing
