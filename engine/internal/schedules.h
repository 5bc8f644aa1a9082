// Schedules: starts the runs of workflows whose latest version has a `schedule` (and is not
// disabled) at the schedule's fire times (schedule_definition.h, cron_fire_times.h).
//
// Durable state: for each scheduled workflow, the schedules index (storage Index::kSchedules)
// holds the version it was armed for and its next fire time. It is written when a version is
// applied (the next fire time after that moment, or the same one when the cron and time zone
// did not change) and after each fire time has started its run. So after a restart the entry
// still names the first fire time that did not complete, and everything from it to now was
// missed while the server was down: the `catch_up` policy decides which of those start.
//
// Exactly once: a fire time's run starts with the idempotency key ScheduleKey(fire time)
// through the engine's keyed start. A fire time repeated after a crash (its run started, its
// entry not yet rewritten) is answered with the run it already started.
//
// On time or missed: a fire time found due less than kOnTimeMs ago is on time and starts
// whatever the policy; older ones were missed.
//
// The clock is injectable; the service looks at it every `poll`.
//
// Thread-safe: Changed and NextFireTime may be called from any thread; firing runs on the
// service's strand.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "base/logger.h"
#include "base/status.h"
#include "engine/engine.h"
#include "engine/internal/workflow_registry.h"
#include "storage/event_log.h"

namespace assent::engine {

// The idempotency key of fire time `fire_ms`: "schedule:" and 16 zero-padded digits of unix
// ms, so the keys of one workflow sort by fire time.
std::string ScheduleKey(int64_t fire_ms);
inline constexpr std::string_view kScheduleKeyPrefix = "schedule:";

// A schedules index entry's value: "<version> <next fire time, unix ms>", both decimal.
std::string EncodeScheduleEntry(uint32_t version, int64_t next_ms);
std::optional<std::pair<uint32_t, int64_t>> DecodeScheduleEntry(std::string_view value);

// Who starts scheduled runs: recorded in RunStarted as started_by "schedule", channel schedule.
Actor ScheduleActor();

class Schedules {
 public:
  using StartRun = std::function<void(StartRunCommand, Callback<StartRunResult>)>;

  Schedules(boost::asio::io_context& io, storage::EventLog& log, const WorkflowRegistry& registry,
            Logger& logger, std::function<int64_t()> now_ms, std::chrono::milliseconds poll,
            StartRun start);
  ~Schedules();
  Schedules(const Schedules&) = delete;
  Schedules& operator=(const Schedules&) = delete;

  // Arms every scheduled workflow from its index entry (or from now, if it has none or one
  // for other fire times), removes entries of workflows no longer scheduled, and starts
  // looking at the clock. Fails when the index cannot be read (a write it cannot make is
  // logged: the entries are written again after the next fire time).
  Status Start();
  // Stops firing; returns once no handler of the service runs and every entry it wrote has
  // landed. Call after the engine has answered every command (a start's answer comes back
  // through the strand).
  void Stop();

  // A new version of `workflow` was stored: arm, re-arm or disarm its schedule. Returns once
  // the entry is written, so that a version acknowledged to its editor has its fire times
  // durable too: a restart right after catches up from them instead of arming from its own now.
  void Changed(const std::string& workflow);

  // The next fire time of `workflow`'s schedule, if armed (for views).
  std::optional<int64_t> NextFireTime(std::string_view workflow) const;

  // A fire time less than this old when found due counts as on time, not missed.
  static constexpr int64_t kOnTimeMs = 60'000;
  // After a start the engine could not record (kUnavailable), the fire time is tried again
  // this much later.
  static constexpr int64_t kRetryAfterMs = 1'000;

 private:
  // What a version stored while its workflow's fire times are starting arms once they are
  // answered. Its entry is written when it is stored, like any version's.
  struct Pending {
    uint32_t version = 0;
    bool disarm = false;      // the version is not scheduled (or cannot be armed)
    bool same_times = false;  // its fire times are the firing version's: they go on from it
    int64_t next_ms = 0;      // else: its first fire time
  };
  struct Armed {
    uint32_t version = 0;
    int64_t next_ms = 0;
    bool firing = false;          // its due fire times are starting
    std::optional<Pending> changed_while_firing;
    int64_t retry_at_ms = 0;      // after a refused start: not before this
  };

  void Rearm(const std::string& workflow, int64_t now);
  // What `latest` arms, given what `armed` is armed for. REQUIRES: mu_ held.
  Pending Arming(const std::string& workflow, const WorkflowDefinition* latest,
                 const Armed* armed, int64_t now);
  // Ends the firing of `workflow` (armed_ holds it), arming what a version stored meanwhile
  // arms; `next_ms` is where the firing version's fire times go on. REQUIRES: mu_ held.
  void EndFiring(const std::string& workflow, std::optional<int64_t> next_ms);
  void Tick();
  // Starts the due fire times of `workflow` the catch-up policy keeps, then re-arms it.
  void Fire(const std::string& workflow, std::shared_ptr<const WorkflowDefinition> definition,
            int64_t now);
  void StartEach(std::string workflow, std::shared_ptr<const WorkflowDefinition> definition,
                 std::vector<int64_t> times, size_t index, int64_t now);
  void Fired(const std::string& workflow, const WorkflowDefinition& definition, int64_t now);
  // Writes (or, with no value, deletes) `workflow`'s entry; logs a failure. REQUIRES: mu_
  // held, so that the entries reach the log in the order armed_ took them.
  void Store(const std::string& workflow, std::optional<Armed> armed);
  // Returns once every entry Store handed to the log has been answered.
  void AwaitStoredEntries();

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  storage::EventLog& log_;
  const WorkflowRegistry& registry_;
  Logger& logger_;
  const std::function<int64_t()> now_ms_;
  const std::chrono::milliseconds poll_;
  const StartRun start_;
  boost::asio::steady_timer wake_;

  mutable std::mutex mu_;  // guards armed_
  std::map<std::string, Armed, std::less<>> armed_;
  bool stopped_ = false;  // on the strand

  std::mutex writes_mu_;  // guards writes_in_flight_
  std::condition_variable writes_landed_;
  int writes_in_flight_ = 0;
  std::atomic<bool> started_{false};
};

}  // namespace assent::engine
