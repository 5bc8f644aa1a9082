// Run snapshots: a run's state as of one seq, kept in the snapshots index so that folding a
// long run reads the snapshot and the events after it instead of its whole history. A snapshot
// is written in the same batch as the events it covers, so it is never ahead of the log; the
// events stay the truth (a snapshot that does not decode is ignored and the run refolded).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/internal/run_state.h"
#include "base/status.h"

namespace assent::engine {

// Events between two snapshots of a run. Short runs (W1 has ~10 events) never get one.
inline constexpr uint64_t kSnapshotEvery = 64;

std::string EncodeSnapshot(const RunState& state);
// kCorruption when `snapshot` is not one EncodeSnapshot wrote.
Result<RunState> DecodeSnapshot(std::string_view snapshot);

}  // namespace assent::engine
