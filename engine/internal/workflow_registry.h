// WorkflowRegistry: every version of every workflow definition, loaded from the log at start
// and kept in memory (definitions are few and small). Runs pin the version they started with.
//
// Thread safety: all methods may be called from any thread.
#pragma once

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

  // Reads every stored definition. A stored definition that no longer validates is an error:
  // runs pinned to it could not continue.
  Status Load();

  // Validates, and stores a new version unless the document equals the latest version.
  Result<WorkflowView> Apply(std::string_view name, const boost::json::value& document);

  std::shared_ptr<const WorkflowDefinition> Latest(std::string_view name) const;
  std::shared_ptr<const WorkflowDefinition> Get(std::string_view name, uint32_t version) const;
  std::vector<std::shared_ptr<const WorkflowDefinition>> AllLatest() const;

  static WorkflowView ToView(const WorkflowDefinition& definition);

 private:
  storage::EventLog& log_;
  // Serializes Apply so two writers cannot both claim the same version number. It is held
  // across the synced definition write: applying definitions is a rare admin operation.
  std::mutex apply_mutex_;
  mutable std::shared_mutex mutex_;  // guards versions_
  std::map<std::string, std::vector<std::shared_ptr<const WorkflowDefinition>>, std::less<>>
      versions_;
};

}  // namespace assent::engine
