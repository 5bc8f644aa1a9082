// An http step's retries on the test's clock: the waits between attempts (growth, max_backoff,
// jitter, Retry-After), when it gives up (max_attempts, give_up_after), which answers it
// retries (retry_on), on_error, the durable retry timer across a restart, and retrying a failed
// run (RunRetried). Every run passes the replay-equality check at the end of its test.
#include <algorithm>
#include <future>
#include <map>
#include <set>

#include <gmock/gmock.h>

#include "engine/internal/http_retry.h"
#include "tests/engine/clocked_engine_fixture.h"
#include "tests/support/http_target.h"

namespace assent::engine::engine_testing {
namespace {

using testing::HttpTarget;
using testing::ReceivedRequest;
using testing::TargetResponse;
using Timers = std::vector<std::pair<int64_t, std::string>>;

constexpr int64_t kSecond = 1'000;
constexpr int64_t kMinute = 60'000;

// A target that answers `status` to the first `failures` requests, then 200 {"paid": true}.
HttpTarget::Responder FailFirst(size_t failures, unsigned status,
                                std::map<std::string, std::string> headers = {}) {
  return [=](const ReceivedRequest&, size_t index) {
    if (index < failures) return TargetResponse{status, R"({"down": true})", headers};
    return TargetResponse{200, R"({"paid": true})"};
  };
}

class HttpRetryTest : public ClockedEngineTest {
 protected:
  // Workflow "pay": its http step `pay` with `fields` (after "url"), then `done`; and `handle`
  // when `fields` names it as the on_error step.
  void ApplyPay(const HttpTarget& target, const std::string& fields) {
    std::string handle = fields.find(R"("on_error": "handle")") == std::string::npos ? "" : R"(,
      {"id": "handle", "type": "code", "lua":
       "return {why = steps.pay.error, status = steps.pay.status, tries = steps.pay.attempts}"})";
    ApplyWorkflow("pay", R"({"editors": ["dave"], "steps": [
      {"id": "extract", "type": "code", "lua": "return {amount = 10}"},
      {"id": "pay", "type": "http", "url": ")" + target.url("/pay") + "\"" + fields + R"(},
      {"id": "done", "type": "code", "lua": "return {paid = steps.pay.paid}", "next": "end"})" +
                             handle + "]}");
  }

  size_t Count(const std::string& run_id, const std::string& type) {
    std::vector<std::string> types = EventTypes(run_id);
    return static_cast<size_t>(std::count(types.begin(), types.end(), type));
  }

  // Waits until the run has recorded `failures` failed attempts.
  void AwaitFailures(const std::string& run_id, size_t failures) {
    ASSERT_TRUE(Eventually([&] { return Count(run_id, "step.failed") >= failures; }))
        << "attempt " << failures << " never failed";
  }

  bool Finished(const std::string& run_id) {
    RunStatus status = Run(run_id).status;
    return status == RunStatus::kCompleted || status == RunStatus::kFailed;
  }

  // The wait after each of `failures` failed attempts (after the `already` failed before):
  // moves the clock to each retry's due time in turn. Stops early once the step gave up.
  std::vector<int64_t> Waits(const std::string& run_id, size_t failures, size_t already = 0) {
    std::vector<int64_t> waits;
    for (size_t i = already + 1; i <= already + failures; ++i) {
      AwaitFailures(run_id, i);
      Timers timers = TimerEntries();
      if (timers.size() != 1) break;  // gave up
      EXPECT_EQ(timers[0].second, RetryTimerId(run_id));
      waits.push_back(timers[0].first - now_);
      now_ = timers[0].first;
    }
    return waits;
  }

  Result<RunView> RetryAs(const Principal& who, const std::string& run_id) {
    return Await<RunView>([&](auto done) {
      engine_->Retry(RetryCommand{run_id, {.principal = who, .request_id = "r-1"}}, done);
    });
  }
};

TEST_F(HttpRetryTest, WaitsDoubleUpToMaxBackoff) {
  HttpTarget target([](const ReceivedRequest&, size_t) { return TargetResponse{503, "{}"}; });
  ApplyPay(target, R"(, "retry": {"backoff": "1s", "max_backoff": "4s", "jitter": false,
                     "max_attempts": 6})");
  std::string run_id = Start("pay", "{}");
  EXPECT_EQ(Waits(run_id, 6), (std::vector<int64_t>{kSecond, 2 * kSecond, 4 * kSecond,
                                                    4 * kSecond, 4 * kSecond}));
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); }));
  RunView run = Run(run_id);
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_THAT(run.error, ::testing::StartsWith("step 'pay' failed after 6 failed attempt(s): "
                                               "HTTP 503"));
  EXPECT_EQ(target.requests().size(), 6u);
  EXPECT_TRUE(TimerEntries().empty());
}

TEST_F(HttpRetryTest, GiveUpAfterEndsTheRetriesCountedFromTheFirstFailure) {
  HttpTarget target([](const ReceivedRequest&, size_t) { return TargetResponse{502, "{}"}; });
  ApplyPay(target, R"(, "retry": {"backoff": "1m", "max_backoff": "1m", "jitter": false,
                     "give_up_after": "3m", "max_attempts": 100})");
  std::string run_id = Start("pay", "{}");
  // Failures at 0, 1, 2 and 3 minutes: the retry after the fourth would start past 3 minutes.
  EXPECT_EQ(Waits(run_id, 4), (std::vector<int64_t>{kMinute, kMinute, kMinute}));
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); }));
  EXPECT_EQ(Run(run_id).status, RunStatus::kFailed);
  EXPECT_EQ(target.requests().size(), 4u);
}

TEST_F(HttpRetryTest, TheServersDefaultsArePatientAndJittered) {
  EngineOptions defaults;
  EXPECT_EQ(defaults.http_max_attempts, 0u);
  EXPECT_EQ(defaults.http_retry_backoff_ms, kSecond);
  EXPECT_EQ(defaults.http_max_backoff_ms, 5 * kMinute);
  EXPECT_EQ(defaults.http_give_up_after_ms, 24 * kHour);
  EngineHooks hooks;
  hooks.clock = [this] { return now_.load(); };
  hooks.timer_poll = std::chrono::milliseconds(5);
  Reopen(defaults, std::move(hooks));
  HttpTarget target([](const ReceivedRequest&, size_t) { return TargetResponse{503, "{}"}; });
  ApplyPay(target, "");
  std::string run_id = Start("pay", "{}");
  std::vector<int64_t> waits = Waits(run_id, 12);
  ASSERT_EQ(waits.size(), 12u) << "the defaults retry for a day, not three times";
  for (size_t i = 0; i < waits.size(); ++i) {
    const int64_t full = std::min<int64_t>(kSecond << i, 5 * kMinute);
    EXPECT_LE(waits[i], full) << "wait " << i + 1;
    EXPECT_GE(waits[i], full - full / 5) << "wait " << i + 1 << ": at most 20% jitter";
  }
  EXPECT_EQ(Run(run_id).status, RunStatus::kRunning);
}

TEST_F(HttpRetryTest, ARetryAfterLongerThanTheBackoffIsHonoured) {
  HttpTarget target(FailFirst(1, 429, {{"Retry-After", "120"}}));
  ApplyPay(target, R"(, "retry": {"backoff": "1s", "jitter": false})");
  std::string run_id = Start("pay", "{}");
  AwaitFailures(run_id, 1);
  EXPECT_EQ(TimerEntries(), (Timers{{kStart + 120 * kSecond, RetryTimerId(run_id)}}));
  now_ += 120 * kSecond;
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); }));
  EXPECT_EQ(Run(run_id).status, RunStatus::kCompleted);
}

TEST_F(HttpRetryTest, A4xxOtherThan408And429IsNotRetriedByDefault) {
  HttpTarget target(FailFirst(1, 404));
  ApplyPay(target, "");
  std::string run_id = Start("pay", "{}");
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); }));
  EXPECT_EQ(Run(run_id).status, RunStatus::kFailed);
  EXPECT_EQ(target.requests().size(), 1u);
}

TEST_F(HttpRetryTest, RetryOnReplacesTheStatusesRetried) {
  HttpTarget retried(FailFirst(1, 404));
  ApplyPay(retried, R"(, "retry": {"retry_on": [404], "backoff": "1s", "jitter": false})");
  std::string run_id = Start("pay", "{}");
  AwaitFailures(run_id, 1);
  now_ += kSecond;
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); }));
  EXPECT_EQ(Run(run_id).status, RunStatus::kCompleted);

  HttpTarget not_listed(FailFirst(1, 503));
  ApplyPay(not_listed, R"(, "retry": {"retry_on": [404]})");
  std::string other = Start("pay", "{}");
  ASSERT_TRUE(Eventually([&] { return Finished(other); }));
  EXPECT_EQ(Run(other).status, RunStatus::kFailed);
  EXPECT_EQ(not_listed.requests().size(), 1u);
}

TEST_F(HttpRetryTest, OnErrorContinuesWithTheFailureVisibleToTheNextStep) {
  HttpTarget target(FailFirst(5, 503));
  ApplyPay(target, R"(, "retry": {"max_attempts": 2, "backoff": "1s", "jitter": false},
                     "on_error": "handle")");
  std::string run_id = Start("pay", "{}");
  AwaitFailures(run_id, 1);
  now_ += kSecond;
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); }));
  RunView run = Run(run_id);
  ASSERT_EQ(run.status, RunStatus::kCompleted) << run.error;
  EXPECT_EQ(run.steps.at("pay").at("error"), "HTTP 503: {\"down\": true}");
  EXPECT_EQ(run.steps.at("pay").at("status"), 503);
  EXPECT_EQ(run.steps.at("pay").at("attempts"), 2);
  EXPECT_EQ(run.output->at("why"), "HTTP 503: {\"down\": true}");
  EXPECT_EQ(run.output->at("tries"), 2);
  EXPECT_FALSE(run.steps.contains("done")) << "on_error skips the steps after the failed one";
}

TEST_F(HttpRetryTest, ARetryWaitingOnItsTimerSurvivesARestartAndFiresOnce) {
  HttpTarget target(FailFirst(1, 503));
  ApplyPay(target, R"(, "retry": {"backoff": "10m", "max_backoff": "10m", "jitter": false})");
  std::string run_id = Start("pay", "{}");
  AwaitFailures(run_id, 1);
  EXPECT_EQ(TimerEntries(), (Timers{{kStart + 10 * kMinute, RetryTimerId(run_id)}}));
  engine_.reset();  // down before the retry's time
  now_ += kHour;
  ReopenWithClock();
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); })) << "the retry never fired";
  ReopenWithClock();  // and once more: nothing fires twice
  std::string other = Start("pay", "{}");
  ASSERT_TRUE(Eventually([&] { return Finished(other); }));
  EXPECT_EQ(Run(run_id).status, RunStatus::kCompleted);
  EXPECT_EQ(Count(run_id, "step.started"), 2u);
  EXPECT_EQ(target.requests().size(), 3u) << "the failed call, its retry, the other run's call";
  EXPECT_TRUE(TimerEntries().empty());
  Result<VerifyReport> report = VerifyLog(log_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->problems.empty()) << report->problems.front();
}

TEST_F(HttpRetryTest, VerifyKnowsAPendingRetrysTimer) {
  HttpTarget target(FailFirst(1, 503));
  ApplyPay(target, R"(, "retry": {"backoff": "10m"})");
  std::string run_id = Start("pay", "{}");
  AwaitFailures(run_id, 1);
  engine_.reset();
  Result<VerifyReport> sound = VerifyLog(log_);
  ASSERT_TRUE(sound.ok());
  EXPECT_TRUE(sound->problems.empty()) << sound->problems.front();
  int64_t due = TimerEntries().at(0).first;
  storage::AppendBatch damage;
  damage.index_ops.push_back({storage::Index::kTimers, TimerKey(due, RetryTimerId(run_id)), {}});
  std::promise<Status> written;
  log_.Append(std::move(damage),
              [&written](Status status, uint64_t) { written.set_value(status); });
  ASSERT_TRUE(written.get_future().get().ok());
  Result<VerifyReport> damaged = VerifyLog(log_);
  ASSERT_TRUE(damaged.ok());
  ASSERT_FALSE(damaged->problems.empty());
  EXPECT_THAT(damaged->problems[0], ::testing::HasSubstr("timer " + RetryTimerId(run_id) +
                                                         " is due but not in the timers index"));
  ReopenWithClock();
}

TEST_F(HttpRetryTest, RetryingAFailedRunGoesOnFromTheFailedStepWithTheSameKey) {
  HttpTarget target(FailFirst(1, 503));
  ApplyPay(target, R"(, "retry": {"max_attempts": 1})");
  std::string run_id = Start("pay", "{}");
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); }));
  ASSERT_EQ(Run(run_id).status, RunStatus::kFailed);

  Result<RunView> retried = RetryAs(kAdmin, run_id);
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_EQ(retried->status, RunStatus::kRunning);
  EXPECT_EQ(retried->error, "");
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); }));
  RunView run = Run(run_id);
  EXPECT_EQ(run.status, RunStatus::kCompleted) << run.error;
  EXPECT_EQ(run.output->at("paid"), true);
  std::vector<ReceivedRequest> requests = target.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].headers.at("idempotency-key"), requests[1].headers.at("idempotency-key"))
      << "the payee can tell the retried payment is the same one";
  EXPECT_EQ(Count(run_id, "run.retried"), 1u);
  EXPECT_EQ(Count(run_id, "step.completed"), 3u) << "extract ran once, then pay and done";
  auto events = engine_->GetEvents(kAdmin, run_id);
  ASSERT_TRUE(events.ok());
  auto retry = std::find_if(events->begin(), events->end(),
                            [](const EventView& event) { return event.type == "run.retried"; });
  ASSERT_NE(retry, events->end());
  EXPECT_EQ(retry->fields.at("by"), "admin");
  EXPECT_EQ(retry->fields.at("step_id"), "pay");
  EXPECT_EQ(retry->fields.at("request_id"), "r-1");
  Result<AuditPage> audit = engine_->ListAudit(AuditQuery{}, kAdmin);
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  ASSERT_FALSE(audit->entries.empty());
  EXPECT_EQ(audit->entries.front().action, "run.retried") << "the newest entry";
  EXPECT_EQ(audit->entries.front().actor, "admin");
  EXPECT_EQ(audit->entries.front().run_id, run_id);
}

TEST_F(HttpRetryTest, ARetriedRunHasAFreshAttemptBudget) {
  HttpTarget target(FailFirst(3, 503));
  ApplyPay(target, R"(, "retry": {"max_attempts": 2, "backoff": "1s", "jitter": false})");
  std::string run_id = Start("pay", "{}");
  EXPECT_EQ(Waits(run_id, 2), (std::vector<int64_t>{kSecond}));
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); }));
  ASSERT_EQ(Run(run_id).status, RunStatus::kFailed);
  ASSERT_TRUE(RetryAs(kAdmin, run_id).ok());
  // Attempt 3 fails; with a fresh budget of 2 the backoff starts again at 1 s.
  EXPECT_EQ(Waits(run_id, 1, 2), (std::vector<int64_t>{kSecond}));
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); }));
  EXPECT_EQ(Run(run_id).status, RunStatus::kCompleted) << Run(run_id).error;
  EXPECT_EQ(target.requests().size(), 4u);
}

TEST_F(HttpRetryTest, OnlyAFailedRunCanBeRetriedAndOnlyByItsEditors) {
  HttpTarget target(FailFirst(1, 503));
  ApplyPay(target, R"(, "retry": {"max_attempts": 1})");
  std::string run_id = Start("pay", "{}");
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); }));

  Result<RunView> stranger = RetryAs(User("eve"), run_id);
  EXPECT_EQ(stranger.status().code(), StatusCode::kNotFound) << "eve may not even see it";
  EXPECT_EQ(RetryAs(kAdmin, "run_000000000000nothere").status().code(), StatusCode::kNotFound);
  ApplyWorkflow("pay", R"({"editors": ["dave"], "viewers": ["bob"], "steps": [
      {"id": "extract", "type": "code", "lua": "return {amount = 10}"},
      {"id": "pay", "type": "http", "url": ")" + target.url("/pay") + R"("}]})");
  Result<RunView> viewer = RetryAs(User("bob"), run_id);
  EXPECT_EQ(viewer.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(viewer.status().message(),
            "'bob' may not retry run " + run_id + " (the workflow's editors may)");
  Result<RunView> editor = RetryAs(User("dave"), run_id);
  ASSERT_TRUE(editor.ok()) << editor.status().ToString();
  ASSERT_TRUE(Eventually([&] { return Finished(run_id); }));
  ASSERT_EQ(Run(run_id).status, RunStatus::kCompleted);

  Result<RunView> again = RetryAs(User("dave"), run_id);
  EXPECT_EQ(again.status().code(), StatusCode::kConflict);
  EXPECT_EQ(again.status().message(),
            "run " + run_id + " is completed: only a failed run can be retried");
  EXPECT_EQ(Count(run_id, "run.retried"), 1u);
}

TEST_F(HttpRetryTest, ARejectedApprovalRetriedAsksAgain) {
  ApplyWorkflow("ask", R"({"steps": [
      {"id": "review", "type": "approval", "message": "Ship?"}]})");
  std::string run_id = Start("ask", "{}");
  ASSERT_TRUE(DecideOn(PendingApproval(run_id), Decision::kReject, "not yet").ok());
  ASSERT_EQ(Run(run_id).status, RunStatus::kFailed);
  Result<RunView> retried = RetryAs(kAdmin, run_id);
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_EQ(retried->status, RunStatus::kWaiting);
  ASSERT_TRUE(DecideOn(PendingApproval(run_id), Decision::kApprove).ok());
  EXPECT_EQ(Run(run_id).status, RunStatus::kCompleted);
}

// The arithmetic on its own.
TEST(HttpRetryPolicyTest, JitterOnlyShortensAndSpreadsRuns) {
  HttpRetryPolicy policy{.backoff_ms = 1'000, .max_backoff_ms = 300'000, .jitter = 0.2};
  EXPECT_EQ(RetryDelayMs(policy, 1, 0.0), 1'000);
  EXPECT_EQ(RetryDelayMs(policy, 1, 0.999), 801);
  EXPECT_EQ(RetryDelayMs(policy, 40, 0.0), 300'000) << "no overflow past the cap";
  std::set<int64_t> delays;
  for (int run = 0; run < 100; ++run) {
    double spread = JitterSpread("run_" + std::to_string(run), 3, 1);
    EXPECT_GE(spread, 0.0);
    EXPECT_LT(spread, 1.0);
    delays.insert(RetryDelayMs(policy, 5, spread));
    EXPECT_EQ(spread, JitterSpread("run_" + std::to_string(run), 3, 1)) << "deterministic";
  }
  EXPECT_GT(delays.size(), 50u) << "runs that failed together retry apart";
}

TEST(HttpRetryPolicyTest, RetryAfterTakesDeltaSecondsOrAnHttpDate) {
  const int64_t now = 1'445'412'400'000;  // Wed, 21 Oct 2015 07:26:40 GMT
  EXPECT_EQ(RetryAfterMs("120", now), 120'000);
  EXPECT_EQ(RetryAfterMs(" 0 ", now), 0);
  EXPECT_EQ(RetryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT", now), 80'000);
  EXPECT_EQ(RetryAfterMs(" Wed, 21 Oct 2015 07:28:00 GMT ", now), 80'000);
  EXPECT_EQ(RetryAfterMs("Wed, 21 Oct 2015 07:00:00 GMT", now), 0) << "past: at once";
  EXPECT_EQ(RetryAfterMs("Thu, 21 Oct 2015 07:28:00 GMT", now), std::nullopt) << "not a Thursday";
  EXPECT_EQ(RetryAfterMs("Wednesday, 21-Oct-15 07:28:00 GMT", now), std::nullopt) << "RFC 850";
  EXPECT_EQ(RetryAfterMs("Wed, 21 Oct 2015 07:28:00 CET", now), std::nullopt);
  EXPECT_EQ(RetryAfterMs("Mon, 21 Oct 2115 07:28:00 GMT", now), int64_t{365} * 86'400'000);
  EXPECT_EQ(RetryAfterMs("-5", now), std::nullopt);
  EXPECT_EQ(RetryAfterMs("", now), std::nullopt);
  EXPECT_EQ(RetryAfterMs("99999999999999", now), int64_t{365} * 86'400'000);
}

TEST(HttpRetryPolicyTest, RetriedStatuses) {
  HttpRetryPolicy policy;
  for (unsigned status : {500u, 502u, 503u, 504u, 408u, 429u}) {
    EXPECT_TRUE(RetriesStatus(policy, status)) << status;
  }
  for (unsigned status : {400u, 401u, 403u, 404u, 409u, 422u, 301u}) {
    EXPECT_FALSE(RetriesStatus(policy, status)) << status;
  }
  policy.retry_on = std::vector<unsigned>{409};
  EXPECT_TRUE(RetriesStatus(policy, 409));
  EXPECT_FALSE(RetriesStatus(policy, 503));
}

}  // namespace
}  // namespace assent::engine::engine_testing
