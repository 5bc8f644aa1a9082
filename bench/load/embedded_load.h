// Drives W1 through an Engine in this process, without the network: the engine's own ceiling.
// The same shape as ServerLoad: `concurrency` runs in flight, a reviewer that decides each
// approval as it is notified, and every result checked (the start waits for the finished run).
#pragma once

#include <memory>
#include <string>

#include "bench/load/server_load.h"
#include "engine/engine.h"
#include "storage/rocks_event_log.h"

namespace assent::bench {

// An engine over a RocksDB log in `data_dir`, with W1 applied, wired as `assent serve` does it.
struct EmbeddedEngine {
  // Applies W1, with `approval_timeout` as its approval's "timeout" unless empty. Throws
  // std::runtime_error naming what failed.
  static EmbeddedEngine Open(const std::string& data_dir, const std::string& approval_timeout = "");

  std::unique_ptr<storage::RocksEventLog> log;
  std::unique_ptr<engine::Engine> engine;  // declared after the log: destroyed before it
};

// `decide` false leaves every approval pending: such a run counts as finished once started, and
// the phase ends with half its runs waiting (used to fill a log for the recovery benchmark).
PhaseReport RunEmbeddedPhase(engine::Engine& engine, int first, int count, int concurrency,
                             bool decide = true);

}  // namespace assent::bench
