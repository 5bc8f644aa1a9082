#include "engine/internal/run_cache.h"

#include <cassert>

#include "engine/internal/run_size.h"

namespace assent::engine {

RunCache::RunCache(RunLoader& loader, const WorkflowRegistry& registry, size_t max_waiting,
                   size_t max_waiting_bytes)
    : loader_(loader),
      registry_(registry),
      max_waiting_(max_waiting),
      max_waiting_bytes_(max_waiting_bytes) {}

Result<LiveRun*> RunCache::FindOrLoad(const std::string& run_id) {
  if (auto it = runs_.find(run_id); it != runs_.end()) {
    Entry& entry = *it->second;
    LeaveIdle(entry);  // in use again: out of the LRU until it is idle once more
    return &entry.run;
  }
  auto state = loader_.Load(run_id);
  if (!state.ok()) return state.status();
  auto definition = registry_.Get(state->workflow, state->version);
  if (!definition) {
    return Status::Corruption("run " + run_id + ": workflow " + state->workflow + " v" +
                              std::to_string(state->version) + " is not stored");
  }
  LiveRun& run = Insert(run_id, std::move(definition));
  run.state = std::move(state).value();
  return &run;
}

LiveRun* RunCache::Find(const std::string& run_id) {
  auto it = runs_.find(run_id);
  return it == runs_.end() ? nullptr : &it->second->run;
}

LiveRun& RunCache::Insert(const std::string& run_id,
                          std::shared_ptr<const WorkflowDefinition> definition) {
  auto entry = std::make_unique<Entry>();
  entry->run.definition = std::move(definition);
  auto [it, inserted] = runs_.emplace(run_id, std::move(entry));
  assert(inserted);
  return it->second->run;
}

void RunCache::Release(const std::string& run_id) {
  auto it = runs_.find(run_id);
  if (it == runs_.end()) return;
  Entry& entry = *it->second;
  if (entry.run.state.finished()) return Forget(it);
  if (entry.run.state.status != RunStatus::kWaiting) return;
  LeaveIdle(entry);
  idle_waiting_.push_front(run_id);
  entry.idle_waiting = idle_waiting_.begin();
  entry.idle_bytes = EstimateBytes(entry.run.state);
  idle_waiting_bytes_ += entry.idle_bytes;
  while (!idle_waiting_.empty() &&
         (idle_waiting_.size() > max_waiting_ || idle_waiting_bytes_ > max_waiting_bytes_)) {
    Forget(runs_.find(idle_waiting_.back()));
  }
}

void RunCache::LeaveIdle(Entry& entry) {
  if (!entry.idle_waiting) return;
  idle_waiting_.erase(*entry.idle_waiting);
  entry.idle_waiting.reset();
  idle_waiting_bytes_ -= entry.idle_bytes;
  entry.idle_bytes = 0;
}

void RunCache::Forget(const std::string& run_id) {
  if (auto it = runs_.find(run_id); it != runs_.end()) Forget(it);
}

void RunCache::Forget(Runs::iterator it) {
  LeaveIdle(*it->second);
  runs_.erase(it);
}

void RunCache::Clear() {
  idle_waiting_.clear();
  idle_waiting_bytes_ = 0;
  runs_.clear();
}

}  // namespace assent::engine
