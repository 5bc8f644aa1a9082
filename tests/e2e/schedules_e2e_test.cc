// Schedules through the real server: fire times missed while it was down (SIGKILL) start as
// `catch_up` says, and a fire time repeated after a crash starts no second run. The schedule's
// durable next fire time is moved into the past while the server is down, as minutes of
// downtime would have left it, so the test needs no waiting for the clock.
#include <ctime>
#include <future>
#include <map>
#include <string>

#include "storage/rocks_event_log.h"
#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;

constexpr int64_t kMinute = 60'000;

constexpr const char* kNightly = R"({"name": "nightly",
    "schedule": {"cron": "* * * * *", "input": {"job": "sweep"}, "catch_up": "all",
                 "max_catch_up": 3},
    "steps": [{"id": "sweep", "type": "code", "lua": "return {for_time = input.scheduled_at}"}]})";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// `ms` (a whole second) as the engine writes `scheduled_at`.
std::string Rfc3339(int64_t ms) {
  std::time_t seconds = ms / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S.000Z", &utc);
  return text;
}

// Sets the schedule's durable entry (version 1, next fire time `next_ms`), as the server
// leaves it when it dies before `next_ms` has started its run.
void ArmAt(const std::string& data_dir, int64_t next_ms) {
  auto log = storage::RocksEventLog::Open(data_dir);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  storage::AppendBatch batch;
  batch.index_ops.push_back(
      {storage::Index::kSchedules, "nightly", "1 " + std::to_string(next_ms)});
  std::promise<Status> written;
  (*log)->Append(std::move(batch), [&](Status status, uint64_t) { written.set_value(status); });
  ASSERT_TRUE(written.get_future().get().ok());
}

class SchedulesE2eTest : public E2eTest {
 protected:
  // scheduled_at -> how many runs of "nightly" have it.
  std::map<std::string, int> RunsByFireTime() {
    std::map<std::string, int> counts;
    HttpReply listed = api().Get("/v1/runs?workflow=nightly&limit=1000");
    EXPECT_EQ(listed.status, 200u) << listed.raw;
    if (listed.status != 200) return counts;
    for (const json::value& run : listed.body.at("runs").as_array()) {
      EXPECT_EQ(run.at("started_by"), "schedule");
      counts[std::string(run.at("input").at("scheduled_at").as_string())]++;
    }
    return counts;
  }

  // Waits (bounded) until the schedule's next fire time is later than `after_ms`: the fire
  // times before it have all been answered.
  void AwaitArmedAfter(int64_t after_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    HttpReply reply;
    while (std::chrono::steady_clock::now() < deadline) {
      reply = api().Get("/v1/workflows/nightly");
      if (reply.status == 200 && reply.body.as_object().contains("next_fire_at") &&
          reply.body.at("next_fire_at").as_string() > Rfc3339(after_ms)) {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll interval, not a sync
    }
    ADD_FAILURE() << "the schedule did not move past " << Rfc3339(after_ms) << "; last: "
                  << reply.raw;
  }
};

TEST_F(SchedulesE2eTest, MissedFireTimesStartOnceAcrossKills) {
  HttpReply applied = api().Put("/v1/workflows/nightly", json::parse(kNightly));
  ASSERT_EQ(applied.status, 200u) << applied.raw;
  ASSERT_TRUE(applied.body.as_object().contains("next_fire_at")) << applied.raw;

  // Down for ten minutes, as far as the schedule can tell.
  server_->Kill();
  const int64_t minute = NowMs() / kMinute * kMinute;
  const int64_t first_missed = minute - 10 * kMinute;
  ArmAt(data_.str(), first_missed);
  StartServer();
  AwaitArmedAfter(minute - kMinute);
  // catch_up "all" with max_catch_up 3: the newest three missed minutes, each once, up to the
  // one the restarted server found current: `minute`, or the next when it turned before the
  // server looked (a minute that turns after starts on time, once too). What was skipped is
  // logged.
  std::map<std::string, int> runs = RunsByFireTime();
  for (const auto& [fire_time, count] : runs) EXPECT_EQ(count, 1) << fire_time;
  const bool turned = runs.count(Rfc3339(minute + kMinute)) != 0;
  for (int64_t ago : {2, 1, 0}) {
    if (ago == 2 && turned) continue;  // left out if the minute turned before the catch-up
    EXPECT_EQ(runs.count(Rfc3339(minute - ago * kMinute)), 1u) << Rfc3339(minute - ago * kMinute);
  }
  EXPECT_EQ(runs.count(Rfc3339(minute - 3 * kMinute)), 0u);
  server_->WaitForOutput("schedule skipped fire times");

  // Killed before the entry moved on: the same fire times come due again, and answer with
  // the runs they started.
  server_->Kill();
  ArmAt(data_.str(), first_missed);
  StartServer();
  AwaitArmedAfter(minute - kMinute);
  std::map<std::string, int> again = RunsByFireTime();
  for (const auto& [fire_time, count] : again) EXPECT_EQ(count, 1) << fire_time;
  for (const auto& [fire_time, count] : runs) EXPECT_EQ(again[fire_time], 1) << fire_time;
  server_->WaitForOutput("scheduled run already started");
}

TEST_F(SchedulesE2eTest, ClientsMayNotSendTheSchedulesKeys) {
  ASSERT_EQ(api().Put("/v1/workflows/nightly", json::parse(kNightly)).status, 200u);
  HttpReply refused = api().Send("POST", "/v1/workflows/nightly/runs",
                                    R"({"input": {}})", {{"Idempotency-Key", "schedule:1"}});
  EXPECT_EQ(refused.status, 400u) << refused.raw;
}

}  // namespace
}  // namespace assent::testing
