// The log stream that holds the directory of users and tokens (engine/directory.h). It is a
// stream of the event log like a run's, under an id no run can have: run ids are
// "run_<hex>" (Shard::NewRunId), and ids that start with '~' are the engine's own. The runs
// index never lists it, so recovery, run listings and `assent verify`'s run checks never see it;
// RunLoader refuses it, so GET /v1/runs/~directory is a plain 404.
#pragma once

#include <string_view>

namespace assent::engine {

// Persisted: the directory's events are stored under this id. Never change it.
inline constexpr std::string_view kDirectoryStreamId = "~directory";

// True for the engine's own streams, which are not runs.
inline bool IsReservedStreamId(std::string_view id) { return id.starts_with('~'); }

}  // namespace assent::engine
