#include "tests/engine/replay_check.h"

#include <vector>

#include "base/logger.h"
#include "engine/internal/comment_store.h"
#include "engine/internal/run_loader.h"
#include "engine/internal/run_snapshot.h"
#include "schemas/event_generated.h"
#include "tests/engine/run_state_printer.h"

namespace assent::engine {
namespace {

// The first way `rebuilt` differs from `live`, or success.
::testing::AssertionResult Same(const RunState& live, const RunState& rebuilt,
                                const std::string& how) {
  if (live == rebuilt) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "run " << live.run_id << " rebuilt " << how
                                       << " differs from its live state\n  live:    "
                                       << Describe(live) << "\n  rebuilt: " << Describe(rebuilt);
}

}  // namespace

::testing::AssertionResult MatchesReplay(const RunState& live, storage::EventLog& log) {
  std::vector<std::string> records;
  if (Status read = log.ReadRun(live.run_id, &records); !read.ok()) {
    return ::testing::AssertionFailure() << read.ToString();
  }
  if (records.size() < live.last_seq) {
    return ::testing::AssertionFailure() << "run " << live.run_id << " has " << records.size()
                                         << " events in the log, live state is at seq "
                                         << live.last_seq;
  }
  // A commit can land after the engine stopped reporting (an effect's outcome while the shard
  // stopped): then the log runs on past the live state, and only its prefix is compared.
  bool log_went_on = records.size() > live.last_seq;
  records.resize(live.last_seq);
  if (!log_went_on) {
    Result<RunState> reopened = RunLoader(log, NullLogger()).Load(live.run_id);
    if (!reopened.ok()) {
      return ::testing::AssertionFailure()
             << "run " << live.run_id << " does not load: " << reopened.status().ToString();
    }
    if (auto same = Same(live, *reopened, "as a reopened engine loads it"); !same) return same;
  }
  RunState folded;
  for (const std::string& record : records) Apply(folded, *fb::GetEvent(record.data()));
  if (auto same = Same(live, folded, "by folding every event"); !same) return same;

  for (size_t k = 1; k <= records.size(); ++k) {
    RunState head;
    for (size_t i = 0; i < k; ++i) Apply(head, *fb::GetEvent(records[i].data()));
    Result<RunState> decoded = DecodeSnapshot(EncodeSnapshot(head), StoredComments(log));
    if (!decoded.ok()) {
      return ::testing::AssertionFailure() << "snapshot after seq " << k
                                           << " does not decode: " << decoded.status().ToString();
    }
    RunState resumed = std::move(decoded).value();
    for (size_t i = k; i < records.size(); ++i) Apply(resumed, *fb::GetEvent(records[i].data()));
    if (auto same = Same(live, resumed, "from a snapshot after seq " + std::to_string(k));
        !same) {
      return same;
    }
  }
  return ::testing::AssertionSuccess();
}

void LiveStates::OnDurable(const RunState& state) {
  std::lock_guard lock(mutex_);
  states_[state.run_id] = state;
}

std::map<std::string, RunState> LiveStates::Take() {
  std::lock_guard lock(mutex_);
  return std::exchange(states_, {});
}

}  // namespace assent::engine
