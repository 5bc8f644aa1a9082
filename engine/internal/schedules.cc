#include "engine/internal/schedules.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <future>
#include <utility>

#include "engine/internal/cron_fire_times.h"
#include "engine/internal/time_text.h"

namespace assent::engine {

namespace asio = boost::asio;

namespace {

// Fire times end with year 9999 (as RFC 3339 does); a missed span reaches back at most ten
// years, which keeps the look-back's arithmetic far from overflowing.
constexpr int64_t kLastFireMs = 253'402'300'799'999;
constexpr int64_t kLongestMissedMs = int64_t{3660} * 86'400'000;

}  // namespace

std::string EncodeScheduleEntry(uint32_t version, int64_t next_ms) {
  return std::to_string(version) + " " + std::to_string(next_ms);
}

std::optional<std::pair<uint32_t, int64_t>> DecodeScheduleEntry(std::string_view value) {
  uint32_t version = 0;
  int64_t next_ms = 0;
  const char* end = value.data() + value.size();
  auto [after_version, ec] = std::from_chars(value.data(), end, version);
  if (ec != std::errc() || after_version == end || *after_version != ' ') return std::nullopt;
  auto [after_next, ec2] = std::from_chars(after_version + 1, end, next_ms);
  if (ec2 != std::errc() || after_next != end) return std::nullopt;
  if (next_ms < 0 || next_ms > kLastFireMs) return std::nullopt;
  return std::make_pair(version, next_ms);
}

namespace {

bool Active(const WorkflowDefinition* definition) {
  return definition != nullptr && definition->schedule && !definition->disabled;
}

const char* PolicyName(CatchUp policy) {
  switch (policy) {
    case CatchUp::kNone: return "none";
    case CatchUp::kLatest: return "latest";
    case CatchUp::kAll: return "all";
  }
  return "";
}

}  // namespace

std::string ScheduleKey(int64_t fire_ms) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%016lld", static_cast<long long>(fire_ms));
  return std::string(kScheduleKeyPrefix) + digits;
}

Actor ScheduleActor() {
  // An admin principal: a schedule starts runs whatever the workflow's starters say, since
  // only its editors (and admins) could have applied the schedule.
  return Actor{Principal{.id = "schedule", .groups = {}, .admin = true}, Channel::kSchedule, ""};
}

Schedules::Schedules(asio::io_context& io, storage::EventLog& log,
                     const WorkflowRegistry& registry, Logger& logger,
                     std::function<int64_t()> now_ms, std::chrono::milliseconds poll,
                     StartRun start)
    : strand_(asio::make_strand(io)),
      log_(log),
      registry_(registry),
      logger_(logger),
      now_ms_(std::move(now_ms)),
      poll_(poll),
      start_(std::move(start)),
      wake_(strand_) {}

Schedules::~Schedules() { Stop(); }

Status Schedules::Start() {
  std::map<std::string, std::pair<uint32_t, int64_t>, std::less<>> stored;
  Status scanned = log_.ScanIndex(storage::Index::kSchedules, "",
                                  [&](std::string_view key, std::string_view value) {
                                    if (auto entry = DecodeScheduleEntry(value)) {
                                      stored.emplace(key, *entry);
                                    } else {
                                      logger_.Error("malformed schedule entry re-armed",
                                                    {{"workflow", key}});
                                    }
                                    return true;
                                  });
  if (!scanned.ok()) return scanned;
  const int64_t now = now_ms_();
  storage::AppendBatch batch;
  {
    std::lock_guard lock(mu_);
    for (const auto& definition : registry_.AllLatest()) {
      auto entry = stored.find(definition->name);
      if (!Active(definition.get())) {
        if (entry != stored.end()) {
          batch.index_ops.push_back({storage::Index::kSchedules, definition->name, std::nullopt});
        }
        continue;
      }
      Armed armed{.version = definition->version};
      if (entry != stored.end()) {
        // Armed for this version, or for an older one with the same fire times (a crash came
        // between storing the version and rewriting the entry): its missed times still count.
        auto armed_for = registry_.Get(definition->name, entry->second.first);
        if (entry->second.first == definition->version ||
            (Active(armed_for.get()) && armed_for->schedule->SameTimes(*definition->schedule))) {
          armed.next_ms = entry->second.second;
        }
      }
      if (armed.next_ms == 0) {
        std::optional<int64_t> next = engine::NextFireTime(
            definition->schedule->cron, definition->schedule->timezone, now);
        if (!next) {
          logger_.Error("schedule not armed: unknown time zone",
                        {{"workflow", definition->name},
                         {"timezone", definition->schedule->timezone}});
          continue;
        }
        armed.next_ms = *next;
      }
      if (entry == stored.end() || entry->second != std::make_pair(armed.version, armed.next_ms)) {
        batch.index_ops.push_back({storage::Index::kSchedules, definition->name,
                                   EncodeScheduleEntry(armed.version, armed.next_ms)});
      }
      armed_.emplace(definition->name, armed);
    }
  }
  if (!batch.index_ops.empty()) {
    std::promise<Status> written;
    log_.Append(std::move(batch), [&written](Status status, uint64_t) {
      written.set_value(std::move(status));
    });
    // Not fatal: a server restarted on a full disk still serves reads, and fires from memory
    // (each fire time's start is refused and retried until the log takes writes again).
    if (Status status = written.get_future().get(); !status.ok()) {
      logger_.Error("schedule entries not written", {{"error", status.ToString()}});
    }
  }
  started_ = true;
  asio::post(strand_, [this] { Tick(); });
  return Status::Ok();
}

void Schedules::Stop() {
  if (!started_) return;
  // On the strand: every answer already posted runs first, and no Tick runs once it returns.
  std::promise<void> stopped;
  asio::post(strand_, [this, &stopped] {
    stopped_ = true;
    wake_.cancel();
    stopped.set_value();
  });
  stopped.get_future().wait();
  started_ = false;
  AwaitStoredEntries();
}

void Schedules::Changed(const std::string& workflow) {
  if (!started_) return;
  Rearm(workflow, now_ms_());
  AwaitStoredEntries();
}

std::optional<int64_t> Schedules::NextFireTime(std::string_view workflow) const {
  std::lock_guard lock(mu_);
  auto it = armed_.find(workflow);
  if (it == armed_.end()) return std::nullopt;
  const Armed& armed = it->second;
  // A version applied while a firing goes on is armed when it ends (EndFiring): answer as its
  // entry already says.
  if (const std::optional<Pending>& pending = armed.changed_while_firing) {
    if (pending->disarm) return std::nullopt;
    if (!pending->same_times) return pending->next_ms;
  }
  return armed.next_ms;
}

void Schedules::Rearm(const std::string& workflow, int64_t now) {
  std::lock_guard lock(mu_);
  // Read under the lock: of two applies' Changed, the one that read the older version must not
  // arm it after the other armed the newer.
  auto latest = registry_.Latest(workflow);
  auto it = armed_.find(workflow);
  Armed* armed = it == armed_.end() ? nullptr : &it->second;
  if (armed == nullptr && !Active(latest.get())) return;
  if (armed != nullptr && Active(latest.get()) && armed->version == latest->version) return;
  const Pending pending = Arming(workflow, latest.get(), armed, now);
  if (armed != nullptr && armed->firing) {
    // The firing goes on with the version it began with, and this one is armed when its starts
    // are answered (EndFiring). Its entry is written now all the same: a crash before then
    // arms it from the entry, as it would be armed.
    armed->changed_while_firing = pending;
    if (pending.disarm) return Store(workflow, std::nullopt);
    return Store(workflow,
                 Armed{.version = pending.version,
                       .next_ms = pending.same_times ? armed->next_ms : pending.next_ms});
  }
  if (pending.disarm) {
    if (armed != nullptr) armed_.erase(it);
    return Store(workflow, std::nullopt);
  }
  if (pending.same_times) {
    armed->version = pending.version;  // the next fire time stays (it may be due this moment)
    return Store(workflow, *armed);
  }
  Armed& target = armed_[workflow];
  target = Armed{.version = pending.version, .next_ms = pending.next_ms};
  Store(workflow, target);
}

Schedules::Pending Schedules::Arming(const std::string& workflow,
                                     const WorkflowDefinition* latest, const Armed* armed,
                                     int64_t now) {
  if (!Active(latest)) return Pending{.disarm = true};
  auto armed_for = armed == nullptr ? nullptr : registry_.Get(workflow, armed->version);
  if (Active(armed_for.get()) && armed_for->schedule->SameTimes(*latest->schedule)) {
    return Pending{.version = latest->version, .same_times = true};
  }
  std::optional<int64_t> next =
      engine::NextFireTime(latest->schedule->cron, latest->schedule->timezone, now);
  if (!next) {
    logger_.Error("schedule not armed: unknown time zone",
                  {{"workflow", workflow}, {"timezone", latest->schedule->timezone}});
    return Pending{.disarm = true};
  }
  return Pending{.version = latest->version, .next_ms = *next};
}

void Schedules::EndFiring(const std::string& workflow, std::optional<int64_t> next_ms) {
  Armed& armed = armed_[workflow];
  armed.firing = false;
  const std::optional<Pending> pending = std::exchange(armed.changed_while_firing, std::nullopt);
  if (pending && !pending->disarm && !pending->same_times) {
    // Fire times of its own: where the firing version's go on does not matter.
    armed.version = pending->version;
    armed.next_ms = pending->next_ms;
    return Store(workflow, armed);
  }
  if ((pending && pending->disarm) || !next_ms) {
    armed_.erase(workflow);
    return Store(workflow, std::nullopt);
  }
  if (!pending && armed.next_ms == *next_ms) return;  // nothing moved: the entry stands
  armed.next_ms = *next_ms;
  if (pending) armed.version = pending->version;
  Store(workflow, armed);
}

void Schedules::Tick() {
  if (stopped_) return;
  const int64_t now = now_ms_();
  std::vector<std::string> due;
  {
    std::lock_guard lock(mu_);
    for (auto& [workflow, armed] : armed_) {
      if (!armed.firing && armed.next_ms <= now && armed.retry_at_ms <= now) {
        due.push_back(workflow);
      }
    }
  }
  for (const std::string& workflow : due) {
    auto latest = registry_.Latest(workflow);
    std::unique_lock lock(mu_);
    auto armed = armed_.find(workflow);
    if (armed == armed_.end()) continue;  // disarmed since
    if (!Active(latest.get()) || latest->version != armed->second.version) {
      lock.unlock();
      Rearm(workflow, now);  // a version stored since: its Changed is on its way
      continue;
    }
    armed->second.firing = true;
    lock.unlock();
    Fire(workflow, std::move(latest), now);
  }
  wake_.expires_after(poll_);
  wake_.async_wait([this](boost::system::error_code ec) {
    if (!ec) Tick();  // else cancelled: stopped
  });
}

void Schedules::Fire(const std::string& workflow,
                     std::shared_ptr<const WorkflowDefinition> definition, int64_t now) {
  const ScheduleDefinition& schedule = *definition->schedule;
  int64_t first;
  {
    std::lock_guard lock(mu_);
    first = std::max(armed_[workflow].next_ms, now - kLongestMissedMs);
  }
  const size_t keep = schedule.catch_up == CatchUp::kAll ? schedule.max_catch_up : 1;
  bool earlier_left_out = false;
  std::vector<int64_t> times = FireTimesBetween(schedule.cron, schedule.timezone, first - 1, now,
                                                keep, &earlier_left_out);
  const bool on_time = !times.empty() && now - times.back() < kOnTimeMs;
  if (schedule.catch_up == CatchUp::kNone && !on_time) times.clear();
  // Everything from `first` to now that does not start was missed and is skipped: say so.
  const bool skipped = earlier_left_out || times.empty() || times.front() != first;
  if (skipped) {
    logger_.Warn("schedule skipped fire times missed while the server was down",
                 {{"workflow", workflow},
                  {"catch_up", PolicyName(schedule.catch_up)},
                  {"skipped_from", FormatRfc3339(first)},
                  {"starting", static_cast<uint64_t>(times.size())},
                  {"starting_from", times.empty() ? "" : FormatRfc3339(times.front())}});
  }
  StartEach(workflow, std::move(definition), std::move(times), 0, now);
}

void Schedules::StartEach(std::string workflow,
                          std::shared_ptr<const WorkflowDefinition> definition,
                          std::vector<int64_t> times, size_t index, int64_t now) {
  if (stopped_) return;
  if (index == times.size()) return Fired(workflow, *definition, now);
  const int64_t fire_ms = times[index];
  StartRunCommand command{.workflow = workflow,
                          .input = definition->schedule->input,
                          .idempotency_key = ScheduleKey(fire_ms),
                          .actor = ScheduleActor()};
  // The fire time a run is for (a caught-up run starts later), unless the input names its own.
  command.input.emplace("scheduled_at", FormatRfc3339(fire_ms));
  start_(std::move(command), [this, workflow, definition, times, index, now,
                              fire_ms](Result<StartRunResult> started) mutable {
    asio::post(strand_, [this, workflow = std::move(workflow), definition = std::move(definition),
                         times = std::move(times), index, now, fire_ms,
                         started = std::move(started)]() mutable {
      if (started.ok()) {
        logger_.Info(started->created ? "scheduled run started" : "scheduled run already started",
                     {{"workflow", workflow},
                      {"fire_time", FormatRfc3339(fire_ms)},
                      {"run", started->run_id}});
      } else if (started.status().code() == StatusCode::kUnavailable) {
        // Not recorded (the log refuses writes, the engine stops): try again later, from the
        // same fire time, which the entry still names.
        logger_.Error("scheduled run could not start; retrying",
                      {{"workflow", workflow},
                       {"fire_time", FormatRfc3339(fire_ms)},
                       {"error", started.status().ToString()}});
        std::lock_guard lock(mu_);
        Armed& armed = armed_[workflow];
        armed.retry_at_ms = now_ms_() + kRetryAfterMs;
        EndFiring(workflow, armed.next_ms);
        return;
      } else {
        // Refused for good (the start's input is too large, the first run with this key had
        // another input): this fire time is done.
        logger_.Error("scheduled run refused",
                      {{"workflow", workflow},
                       {"fire_time", FormatRfc3339(fire_ms)},
                       {"error", started.status().ToString()}});
      }
      StartEach(std::move(workflow), std::move(definition), std::move(times), index + 1, now);
    });
  });
}

void Schedules::Fired(const std::string& workflow, const WorkflowDefinition& definition,
                      int64_t now) {
  std::optional<int64_t> next =
      engine::NextFireTime(definition.schedule->cron, definition.schedule->timezone, now);
  std::lock_guard lock(mu_);
  EndFiring(workflow, next);
}

void Schedules::Store(const std::string& workflow, std::optional<Armed> armed) {
  storage::AppendBatch batch;
  batch.index_ops.push_back(
      {storage::Index::kSchedules, workflow,
       armed ? std::optional<std::string>(EncodeScheduleEntry(armed->version, armed->next_ms))
             : std::nullopt});
  {
    std::lock_guard lock(writes_mu_);
    ++writes_in_flight_;
  }
  log_.Append(std::move(batch), [this, workflow](Status status, uint64_t) {
    if (!status.ok()) {
      // The entry keeps its last durable value: after a restart, fire times from it repeat
      // (answered by their runs) or the schedule re-arms.
      logger_.Error("schedule entry not written",
                    {{"workflow", workflow}, {"error", status.ToString()}});
    }
    std::lock_guard lock(writes_mu_);
    if (--writes_in_flight_ == 0) writes_landed_.notify_all();
  });
}

void Schedules::AwaitStoredEntries() {
  std::unique_lock lock(writes_mu_);
  writes_landed_.wait(lock, [this] { return writes_in_flight_ == 0; });
}

}  // namespace assent::engine
