// WorkflowRegistry: every version of every workflow definition, loaded from the log at start
// and kept in memory (definitions are few and small). Runs pin the version they started with.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/internal/definition.h"
#include "engine/views.h"
#include "storage/event_log.h"

namespace assent::engine {

class WorkflowRegistry {
 public:
  explicit WorkflowRegistry(storage::EventLog& log) : log_(log) {}

  // Reads every stored definition. One that cannot be read (damaged, or accepted by an older
  // version that checked less) is reported to `skipped` (kCorruption naming it) and left out,
  // so one bad item never keeps the server from starting: runs pinned to it cannot continue
  // and say so, every other workflow works. Fails only when the log cannot be scanned.
  Status Load(const std::function<void(const Status& skipped)>& skipped);

  // Validates, and stores a new version unless the document equals the latest version, when
  // `allowed` passes given the latest version (null: none). Its refusal is returned, checked
  // under the same lock as the store, so two applies cannot both pass against an old version.
  Result<WorkflowView> Apply(
      std::string_view name, const boost::json::value& document,
      const std::function<Status(const WorkflowDefinition* latest)>& allowed);
  // Apply of the document `edit` makes of the latest version (null: none), under the same lock:
  // a change to part of a definition (disabling it) cannot undo an apply that came between.
  Result<WorkflowView> Edit(
      std::string_view name,
      const std::function<Result<boost::json::value>(const WorkflowDefinition* latest)>& edit,
      const std::function<Status(const WorkflowDefinition* latest)>& allowed);

  // Latest and Get also answer the built-in workflow of outside agents' gates
  // (kAgentGateWorkflow, agent_gate.h), which is never stored; the lists leave it out.
  std::shared_ptr<const WorkflowDefinition> Latest(std::string_view name) const;
  std::shared_ptr<const WorkflowDefinition> Get(std::string_view name, uint32_t version) const;
  std::vector<std::shared_ptr<const WorkflowDefinition>> AllLatest() const;
  // Every readable version of `name`, oldest first; empty when there is none.
  std::vector<std::shared_ptr<const WorkflowDefinition>> Versions(std::string_view name) const;

  static WorkflowView ToView(const WorkflowDefinition& definition);

 private:
  uint32_t HighestStored(std::string_view name) const;

  storage::EventLog& log_;
  // Serializes Apply so two writers cannot both claim the same version number. It is held
  // across the synced definition write: applying definitions is a rare admin operation.
  std::mutex apply_mutex_;
  mutable std::shared_mutex mutex_;  // guards versions_ and highest_stored_
  std::map<std::string, std::vector<std::shared_ptr<const WorkflowDefinition>>, std::less<>>
      versions_;
  // The highest version stored of each workflow, skipped ones included, so a new version never
  // takes the number (and the place in the log) of one that could not be read.
  std::map<std::string, uint32_t, std::less<>> highest_stored_;
};

}  // namespace assent::engine
