// Run snapshots: a run's state as of one seq, kept in the snapshots index so that folding a
// long run reads the snapshot and the events after it instead of its whole history. A snapshot
// is a FlatBuffers RunSnapshot (schemas/state.fbs) holding every field of RunState, written in
// the same batch as the events it covers, so it is never ahead of the log; the events stay the
// truth (a snapshot that does not decode is ignored and the run refolded).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/internal/approval_record.h"
#include "engine/internal/run_state.h"

namespace assent::engine {

// A run is snapshotted by the commit whose events take its seq past a multiple of this. Short
// runs (W1 has ~10 events) never get one.
inline constexpr uint64_t kSnapshotEvery = 64;

// Whether a commit taking a run from `seq_before` to `seq_after` writes a snapshot.
inline bool SnapshotDue(uint64_t seq_before, uint64_t seq_after) {
  return seq_before / kSnapshotEvery != seq_after / kSnapshotEvery;
}

// Approvals are held as their records (approval_record.h): comments are counted, not held, so a
// snapshot's size does not grow with every comment the run's approvals ever got.
std::string EncodeSnapshot(const RunState& state);
// kCorruption when `snapshot` is not a run snapshot (it fails verification, or a field is out
// of range or not JSON where JSON belongs). The comments it counts come from `comments`.
Result<RunState> DecodeSnapshot(std::string_view snapshot, const CommentSource& comments);

}  // namespace assent::engine
