// Schedules: runs started at a workflow's fire times on the test's clock, caught up after a
// restart as `catch_up` says, never twice for one fire time, re-armed by new versions and
// silenced by disabling.
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include "engine/internal/index_keys.h"
#include "engine/internal/schedules.h"
#include "engine/internal/time_text.h"
#include "engine/internal/workflow_registry.h"
#include "tests/engine/clocked_engine_fixture.h"

namespace assent::engine::engine_testing {
namespace {

// kStart is 2027-01-15T08:00:00Z, a Friday; 10:00 in Berlin (CET) is 09:00 UTC.
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kFirstFire = kStart + kHour;

std::string Report(const std::string& schedule_fields) {
  return R"({"steps": [{"id": "s", "type": "code", "lua": "return {at = input.scheduled_at}"}],
             "schedule": {"cron": "0 10 * * *", "timezone": "Europe/Berlin",
                          "input": {"kind": "daily"})" +
         schedule_fields + "}}";
}

class SchedulesTest : public ClockedEngineTest {
 protected:
  // The fire times that started runs of "report", oldest first, from the start keys.
  std::vector<int64_t> FiredTimes() {
    std::vector<int64_t> fired;
    std::string prefix = StartKey("report", kScheduleKeyPrefix);
    EXPECT_TRUE(log_.ScanIndex(storage::Index::kStartKeys, prefix,
                               [&](std::string_view key, std::string_view) {
                                 fired.push_back(std::stoll(std::string(key.substr(prefix.size()))));
                                 return true;
                               })
                    .ok());
    return fired;
  }

  std::vector<RunView> Runs() {
    auto page = engine_->ListRuns(kAdmin, RunQuery{.workflow = "report"});
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->runs : std::vector<RunView>{};
  }

  std::optional<int64_t> NextFire() {
    auto workflow = engine_->GetWorkflow(kAdmin, "report");
    EXPECT_TRUE(workflow.ok());
    return workflow.ok() ? workflow->next_fire_at_ms : std::nullopt;
  }

  // Waits (bounded) until the schedule is armed for `next`: every fire time before it has
  // been answered, and its entry handed to the log.
  void ExpectArmedFor(int64_t next) {
    EXPECT_TRUE(Eventually([&] { return NextFire() == next; }))
        << "next fire time " << (NextFire() ? FormatRfc3339(*NextFire()) : "none")
        << ", expected " << FormatRfc3339(next);
  }

  // Writes schedule entries (workflow, value) behind the engine's back.
  Status PutEntries(const std::vector<std::pair<std::string, std::string>>& entries) {
    storage::AppendBatch batch;
    for (const auto& [workflow, value] : entries) {
      batch.index_ops.push_back({storage::Index::kSchedules, workflow, value});
    }
    std::promise<Status> written;
    log_.Append(std::move(batch), [&](Status status, uint64_t) { written.set_value(status); });
    return written.get_future().get();
  }

  // Stops the engine (as a crash would, for what is durable: the log is synced) and opens it
  // again at `at`.
  void RestartAt(int64_t at) {
    engine_.reset();
    now_ = at;
    ReopenWithClock();
  }
};

TEST_F(SchedulesTest, FiresAtTheZonesLocalTime) {
  ApplyWorkflow("report", Report(""));
  EXPECT_EQ(NextFire(), kFirstFire);
  now_ = kFirstFire;
  ExpectArmedFor(kFirstFire + kDay);
  EXPECT_EQ(FiredTimes(), std::vector<int64_t>{kFirstFire});
  std::vector<RunView> runs = Runs();
  ASSERT_EQ(runs.size(), 1u);
  // Not a moment early, and with the schedule's input and its fire time.
  EXPECT_EQ(runs[0].started_at_ms, kFirstFire);
  EXPECT_EQ(runs[0].started_by, "schedule");
  EXPECT_EQ(boost::json::serialize(runs[0].input),
            R"({"kind":"daily","scheduled_at":"2027-01-15T09:00:00.000Z"})");
  auto events = engine_->GetEvents(kAdmin, runs[0].run_id);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->front().fields.at("channel"), "schedule");

  now_ = kFirstFire + kDay;
  ExpectArmedFor(kFirstFire + 2 * kDay);
  EXPECT_EQ(FiredTimes(), (std::vector<int64_t>{kFirstFire, kFirstFire + kDay}));
}

TEST_F(SchedulesTest, FireTimesAreArmedAcrossARestart) {
  ApplyWorkflow("report", Report(""));
  RestartAt(kStart + 30 * 60'000);
  EXPECT_EQ(NextFire(), kFirstFire);  // from the index, not re-armed from the new now
  now_ = kFirstFire;
  ExpectArmedFor(kFirstFire + kDay);
  EXPECT_EQ(FiredTimes(), std::vector<int64_t>{kFirstFire});
}

TEST_F(SchedulesTest, EntriesAreDurableWhenTheApplyReturnsAndWhenTheEngineStops) {
  auto entry = [&]() -> std::optional<std::string> {
    std::string value;
    Status read = log_.GetIndex(storage::Index::kSchedules, "report", &value);
    EXPECT_TRUE(read.ok() || read.code() == StatusCode::kNotFound) << read.ToString();
    if (!read.ok()) return std::nullopt;
    return value;
  };
  // A version acknowledged to its editor has its fire times in the log: a crash right after
  // catches up from them.
  ApplyWorkflow("report", Report(""));
  EXPECT_EQ(entry(), EncodeScheduleEntry(1, kFirstFire));
  ASSERT_TRUE(engine_->SetWorkflowDisabled(kAdmin, "report", true).ok());
  EXPECT_EQ(entry(), std::nullopt);
  ASSERT_TRUE(engine_->SetWorkflowDisabled(kAdmin, "report", false).ok());
  EXPECT_EQ(entry(), EncodeScheduleEntry(3, kFirstFire));  // disabling and enabling are versions
  // A stopped engine leaves the entry moved on past the fire time it started.
  now_ = kFirstFire;
  ExpectArmedFor(kFirstFire + kDay);
  engine_.reset();
  EXPECT_EQ(entry(), EncodeScheduleEntry(3, kFirstFire + kDay));
}

TEST_F(SchedulesTest, CatchUpLatestStartsOneRunForTheNewestMissedTime) {
  ApplyWorkflow("report", Report(""));
  RestartAt(kFirstFire + 3 * kDay + kHour);  // four fire times missed, the newest an hour ago
  ExpectArmedFor(kFirstFire + 4 * kDay);
  EXPECT_EQ(FiredTimes(), std::vector<int64_t>{kFirstFire + 3 * kDay});
  ASSERT_EQ(Runs().size(), 1u);
  EXPECT_EQ(Runs()[0].input.at("scheduled_at"), "2027-01-18T09:00:00.000Z");
}

TEST_F(SchedulesTest, CatchUpAllStartsEachMissedTimeUpToTheBound) {
  ApplyWorkflow("report", Report(R"(, "catch_up": "all", "max_catch_up": 3)"));
  RestartAt(kFirstFire + 4 * kDay + kHour);  // five missed: the newest three start
  ExpectArmedFor(kFirstFire + 5 * kDay);
  EXPECT_EQ(FiredTimes(), (std::vector<int64_t>{kFirstFire + 2 * kDay, kFirstFire + 3 * kDay,
                                                kFirstFire + 4 * kDay}));
  EXPECT_EQ(Runs().size(), 3u);
}

TEST_F(SchedulesTest, CatchUpAllUnderTheBoundStartsEveryMissedTime) {
  ApplyWorkflow("report", Report(R"(, "catch_up": "all")"));
  RestartAt(kFirstFire + kDay + kHour);
  ExpectArmedFor(kFirstFire + 2 * kDay);
  EXPECT_EQ(FiredTimes(), (std::vector<int64_t>{kFirstFire, kFirstFire + kDay}));
}

TEST_F(SchedulesTest, CatchUpNoneSkipsMissedTimesButNotOnTimeOnes) {
  ApplyWorkflow("report", Report(R"(, "catch_up": "none")"));
  RestartAt(kFirstFire + 2 * kDay + kHour);
  ExpectArmedFor(kFirstFire + 3 * kDay);
  EXPECT_TRUE(FiredTimes().empty());
  // Back within a minute of a fire time: that one is on time, and starts.
  RestartAt(kFirstFire + 3 * kDay + 30'000);
  ExpectArmedFor(kFirstFire + 4 * kDay);
  EXPECT_EQ(FiredTimes(), std::vector<int64_t>{kFirstFire + 3 * kDay});
}

TEST_F(SchedulesTest, AFireTimeRepeatedAfterACrashStartsNoSecondRun) {
  ApplyWorkflow("report", Report(""));
  now_ = kFirstFire;
  ExpectArmedFor(kFirstFire + kDay);
  engine_.reset();
  // As if the server had crashed after the run started and before the entry moved on.
  ASSERT_TRUE(PutEntries({{"report", EncodeScheduleEntry(1, kFirstFire)}}).ok());
  now_ = kFirstFire + 20'000;
  ReopenWithClock();
  ExpectArmedFor(kFirstFire + kDay);
  EXPECT_EQ(FiredTimes(), std::vector<int64_t>{kFirstFire});
  EXPECT_EQ(Runs().size(), 1u);
}

TEST_F(SchedulesTest, VerifyReadsTheScheduleEntries) {
  ApplyWorkflow("report", Report(""));
  now_ = kFirstFire;
  ExpectArmedFor(kFirstFire + kDay);
  engine_.reset();
  auto sound = VerifyLog(log_);
  ASSERT_TRUE(sound.ok());
  EXPECT_TRUE(sound->problems.empty()) << sound->problems.front();
  ASSERT_TRUE(PutEntries({{"report", "1:" + std::to_string(kStart)},
                          {"gone", EncodeScheduleEntry(4, kStart)}})
                  .ok());
  auto damaged = VerifyLog(log_);
  ASSERT_TRUE(damaged.ok());
  EXPECT_EQ(damaged->problems,
            (std::vector<std::string>{"schedule of workflow gone: armed for v4, which cannot be read",
                                      "schedule of workflow report: malformed entry of 15 bytes"}));
  // The server re-arms a malformed entry from now rather than refusing to start.
  ReopenWithClock();
  EXPECT_EQ(NextFire(), kFirstFire + kDay);
}

TEST_F(SchedulesTest, ADisabledWorkflowDoesNotFire) {
  ApplyWorkflow("report", Report(""));
  ASSERT_TRUE(engine_->SetWorkflowDisabled(kAdmin, "report", true).ok());
  EXPECT_EQ(NextFire(), std::nullopt);
  now_ = kFirstFire + kHour;  // the first fire time passes while disabled
  // Re-enabled, it fires from now on: the time it was disabled for is not caught up.
  auto enabled = engine_->SetWorkflowDisabled(kAdmin, "report", false);
  ASSERT_TRUE(enabled.ok());
  EXPECT_EQ(enabled->next_fire_at_ms, kFirstFire + kDay);
  now_ = kFirstFire + kDay;
  ExpectArmedFor(kFirstFire + 2 * kDay);
  EXPECT_EQ(FiredTimes(), std::vector<int64_t>{kFirstFire + kDay});
}

TEST_F(SchedulesTest, ADisabledWorkflowDoesNotCatchUpAfterARestart) {
  ApplyWorkflow("report", Report(""));
  ASSERT_TRUE(engine_->SetWorkflowDisabled(kAdmin, "report", true).ok());
  RestartAt(kFirstFire + kHour);
  EXPECT_EQ(NextFire(), std::nullopt);
  auto enabled = engine_->SetWorkflowDisabled(kAdmin, "report", false);
  ASSERT_TRUE(enabled.ok());
  EXPECT_EQ(enabled->next_fire_at_ms, kFirstFire + kDay);
  EXPECT_TRUE(FiredTimes().empty());
}

TEST_F(SchedulesTest, ANewVersionMovesTheSchedule) {
  ApplyWorkflow("report", Report(""));
  // Another input keeps the fire times.
  auto same_times = engine_->ApplyWorkflow(
      kAdmin, "report",
      json::parse(R"({"steps": [{"id": "s", "type": "code", "lua": "return {}"}],
                      "schedule": {"cron": "0 10 * * *", "timezone": "Europe/Berlin",
                                   "input": {"kind": "weekly"}}})"));
  ASSERT_TRUE(same_times.ok()) << same_times.status().ToString();
  EXPECT_EQ(same_times->next_fire_at_ms, kFirstFire);
  // Another cron moves them: 10:30 Berlin.
  auto moved = engine_->ApplyWorkflow(
      kAdmin, "report",
      json::parse(R"({"steps": [{"id": "s", "type": "code", "lua": "return {}"}],
                      "schedule": {"cron": "30 10 * * *", "timezone": "Europe/Berlin"}})"));
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->next_fire_at_ms, kFirstFire + 30 * 60'000);
  now_ = kFirstFire + 30 * 60'000;
  ExpectArmedFor(kFirstFire + 30 * 60'000 + kDay);
  EXPECT_EQ(FiredTimes(), std::vector<int64_t>{kFirstFire + 30 * 60'000});
  EXPECT_EQ(Runs()[0].version, 3u);
  // Without a schedule it stops firing.
  ApplyWorkflow("report", R"({"steps": [{"id": "s", "type": "code", "lua": "return {}"}]})");
  EXPECT_EQ(NextFire(), std::nullopt);
  RestartAt(kFirstFire + 3 * kDay);
  EXPECT_EQ(NextFire(), std::nullopt);
  EXPECT_EQ(FiredTimes().size(), 1u);
}

TEST_F(SchedulesTest, InvalidSchedulesAreRefusedNamingTheField) {
  auto error = [&](const std::string& schedule) {
    auto applied = engine_->ApplyWorkflow(
        kAdmin, "report",
        json::parse(R"({"steps": [{"id": "s", "type": "code", "lua": "return {}"}],
                        "schedule": )" + schedule + "}"));
    EXPECT_FALSE(applied.ok()) << schedule;
    return applied.ok() ? "" : applied.status().message();
  };
  EXPECT_EQ(error(R"("daily")"), "'schedule' must be an object");
  EXPECT_EQ(error(R"({})"), "'schedule': 'cron' must be a string such as \"0 9 * * MON-FRI\"");
  EXPECT_EQ(error(R"({"cron": "0 25 * * *"})"),
            "'schedule': 'cron' is not valid: hour: 25 is out of range 0-23");
  EXPECT_EQ(error(R"({"cron": "0 9 * * *", "timezone": "Europe/Atlantis"})"),
            "'schedule': 'timezone' names no time zone the server knows: \"Europe/Atlantis\" "
            "(IANA names such as \"Europe/Berlin\" or \"UTC\")");
  EXPECT_EQ(error(R"({"cron": "0 9 * * *", "timezone": 1})"),
            "'schedule': 'timezone' must be a time zone name such as \"Europe/Berlin\"");
  EXPECT_EQ(error(R"({"cron": "0 9 * * *", "input": []})"), "'schedule': 'input' must be an object");
  EXPECT_EQ(error(R"({"cron": "0 9 * * *", "catch_up": "some"})"),
            "'schedule': 'catch_up' must be \"none\", \"latest\" or \"all\"");
  EXPECT_EQ(error(R"({"cron": "0 9 * * *", "max_catch_up": 0})"),
            "'schedule': 'max_catch_up' must be an integer from 1 to 1000");
  EXPECT_EQ(error(R"({"cron": "0 9 * * *", "max_catch_up": 1001})"),
            "'schedule': 'max_catch_up' must be an integer from 1 to 1000");
  EXPECT_EQ(error(R"({"cron": "0 9 * * *", "every": "day"})"),
            "'schedule': unknown field 'every'");
  EXPECT_EQ(engine_->GetWorkflow(kAdmin, "report").status().code(), StatusCode::kNotFound);
}

TEST_F(SchedulesTest, ClientsMayNotUseTheSchedulesKeys) {
  ApplyWorkflow("report", Report(""));
  auto started = Await<StartRunResult>([&](auto done) {
    engine_->StartRun(AsAdmin(StartRunCommand{"report", {}, ScheduleKey(kFirstFire)}), done);
  });
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(FiredTimes().empty());
}

// The schedule service on its own, with starts the test answers when it chooses: a version
// applied while a fire time's run is starting.
class SchedulesFiringTest : public ::testing::Test {
 protected:
  SchedulesFiringTest() {
    ApplyReport("0 10 * * *", "daily");
    io_thread_ = std::thread([this] { io_.run(); });
    EXPECT_TRUE(schedules_.Start().ok());
  }
  ~SchedulesFiringTest() override {
    AnswerHeldStart();
    schedules_.Stop();
    work_.reset();
    io_thread_.join();
  }

  void ApplyReport(std::string_view cron, std::string_view kind) {
    auto applied = registry_.Apply(
        "report",
        json::parse(R"({"steps": [{"id": "s", "type": "code", "lua": "return {}"}],
                        "schedule": {"cron": ")" + std::string(cron) +
                    R"(", "timezone": "Europe/Berlin", "input": {"kind": ")" +
                    std::string(kind) + R"("}}})"),
        [](const WorkflowDefinition*) { return Status::Ok(); });
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  }
  // The entry the log holds for "report"; nullopt when it has none.
  std::optional<std::string> Entry() {
    std::string value;
    Status read = log_.GetIndex(storage::Index::kSchedules, "report", &value);
    EXPECT_TRUE(read.ok() || read.code() == StatusCode::kNotFound) << read.ToString();
    if (!read.ok()) return std::nullopt;
    return value;
  }
  // Once a firing ends its entry is written without waiting (a crash before it lands repeats
  // the fire time, which its run answers): wait (bounded) for it.
  void ExpectEntryBecomes(const std::optional<std::string>& expected) {
    EXPECT_TRUE(Eventually([&] { return Entry() == expected; }))
        << "entry " << Entry().value_or("(none)") << ", expected "
        << expected.value_or("(none)");
  }
  // Moves the clock to `fire_ms` and waits (bounded) until its run is asked for, unanswered.
  void FireAndHold(int64_t fire_ms) {
    now_ = fire_ms;
    ASSERT_TRUE(Eventually([&] {
      std::lock_guard lock(mu_);
      return held_.has_value();
    })) << "no start asked for at " << FormatRfc3339(fire_ms);
  }
  void AnswerHeldStart() {
    std::optional<Callback<StartRunResult>> held;
    {
      std::lock_guard lock(mu_);
      held.swap(held_);
    }
    if (held) (*held)(StartRunResult{.run_id = "run-1"});
  }

  std::atomic<int64_t> now_{kStart};
  storage::MemEventLog log_;
  WorkflowRegistry registry_{log_};
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      io_.get_executor()};
  std::mutex mu_;
  std::optional<Callback<StartRunResult>> held_;  // guarded by mu_
  Schedules schedules_{io_, log_, registry_, NullLogger(), [this] { return now_.load(); },
                       std::chrono::milliseconds(1),
                       [this](StartRunCommand, Callback<StartRunResult> done) {
                         std::lock_guard lock(mu_);
                         held_ = std::move(done);
                       }};
  std::thread io_thread_;
};

// Its entry is written before the apply returns, though the firing version's run is still
// starting: a crash then arms the new version as it would have been armed.
TEST_F(SchedulesFiringTest, AVersionAppliedWhileARunStartsIsDurableAtOnce) {
  FireAndHold(kFirstFire);
  ApplyReport("30 10 * * *", "daily");  // other fire times: from now on
  schedules_.Changed("report");
  EXPECT_EQ(Entry(), EncodeScheduleEntry(2, kFirstFire + 30 * 60'000));
  EXPECT_EQ(schedules_.NextFireTime("report"), kFirstFire + 30 * 60'000);  // the apply's answer
  AnswerHeldStart();
  EXPECT_TRUE(Eventually([&] { return schedules_.NextFireTime("report") ==
                                      kFirstFire + 30 * 60'000; }));
  ExpectEntryBecomes(EncodeScheduleEntry(2, kFirstFire + 30 * 60'000));
}

TEST_F(SchedulesFiringTest, SameFireTimesGoOnFromTheFiringVersion) {
  FireAndHold(kFirstFire);
  ApplyReport("0 10 * * *", "weekly");  // another input, the same fire times
  schedules_.Changed("report");
  // A crash now repeats the fire time being started (its run answers it), for version 2.
  EXPECT_EQ(Entry(), EncodeScheduleEntry(2, kFirstFire));
  AnswerHeldStart();
  EXPECT_TRUE(Eventually(
      [&] { return schedules_.NextFireTime("report") == kFirstFire + kDay; }));
  ExpectEntryBecomes(EncodeScheduleEntry(2, kFirstFire + kDay));
}

TEST_F(SchedulesFiringTest, AVersionWithoutAScheduleDisarmsAtOnce) {
  FireAndHold(kFirstFire);
  auto applied = registry_.Apply(
      "report", json::parse(R"({"steps": [{"id": "s", "type": "code", "lua": "return {}"}]})"),
      [](const WorkflowDefinition*) { return Status::Ok(); });
  ASSERT_TRUE(applied.ok());
  schedules_.Changed("report");
  EXPECT_EQ(Entry(), std::nullopt);
  EXPECT_EQ(schedules_.NextFireTime("report"), std::nullopt);
  AnswerHeldStart();
  EXPECT_TRUE(Eventually([&] { return !schedules_.NextFireTime("report").has_value(); }));
  ExpectEntryBecomes(std::nullopt);
}

}  // namespace
}  // namespace assent::engine::engine_testing
