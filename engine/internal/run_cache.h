// RunCache: the runs a shard holds in memory. Running runs stay while they run; finished runs
// go at once; a run waiting for a human is kept in an LRU of idle waiting runs, at most
// `max_waiting` of them holding at most `max_waiting_bytes` (run_size.h estimates each when
// it becomes idle), and beyond either the least recently used is dropped and rebuilt from the
// log when a command (a decision) arrives for it: a run waiting for a human costs nothing
// until the human answers. A run larger than the whole budget is not kept at all.
//
// Thread safety: none; the shard's strand only.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/status.h"
#include "engine/internal/definition.h"
#include "engine/internal/run_loader.h"
#include "engine/internal/run_state.h"
#include "engine/internal/workflow_registry.h"

namespace assent::engine {

// A run in memory: its state and the definition version it runs.
struct LiveRun {
  RunState state;
  std::shared_ptr<const WorkflowDefinition> definition;
};

class RunCache {
 public:
  RunCache(RunLoader& loader, const WorkflowRegistry& registry, size_t max_waiting,
           size_t max_waiting_bytes);
  RunCache(const RunCache&) = delete;
  RunCache& operator=(const RunCache&) = delete;

  // The run in memory, else loaded from the log. In use until Release: out of the LRU.
  // kNotFound for an unknown run; kCorruption when its records or its definition are bad.
  Result<LiveRun*> FindOrLoad(const std::string& run_id);
  // The run if it is in memory, without loading it.
  LiveRun* Find(const std::string& run_id);
  // A new run, in use until Release. REQUIRES: no run with this id in memory.
  LiveRun& Insert(const std::string& run_id, std::shared_ptr<const WorkflowDefinition> definition);

  // The run is idle (nothing in flight for it): a finished run leaves memory, a waiting one
  // joins the LRU (dropping the least recently used beyond max_waiting or max_waiting_bytes).
  void Release(const std::string& run_id);
  void Forget(const std::string& run_id);
  void Clear();

  size_t size() const { return runs_.size(); }
  size_t idle_waiting() const { return idle_waiting_.size(); }
  size_t idle_waiting_bytes() const { return idle_waiting_bytes_; }

 private:
  struct Entry {
    LiveRun run;
    // Where the run stands in idle_waiting_ while it is an idle waiting run, and its size
    // as estimated when it joined.
    std::optional<std::list<std::string>::iterator> idle_waiting;
    size_t idle_bytes = 0;
  };
  using Runs = std::unordered_map<std::string, std::unique_ptr<Entry>>;

  void Forget(Runs::iterator it);
  void LeaveIdle(Entry& entry);

  RunLoader& loader_;
  const WorkflowRegistry& registry_;
  const size_t max_waiting_;
  const size_t max_waiting_bytes_;
  Runs runs_;
  std::list<std::string> idle_waiting_;  // most recently used first
  size_t idle_waiting_bytes_ = 0;        // the sum of their idle_bytes
};

}  // namespace assent::engine
