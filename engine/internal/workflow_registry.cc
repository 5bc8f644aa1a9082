#include "engine/internal/workflow_registry.h"

#include <algorithm>

#include <boost/json/serialize.hpp>

#include "base/json_text.h"
#include "engine/internal/agent_gate.h"

namespace assent::engine {

Status WorkflowRegistry::Load(const std::function<void(const Status& skipped)>& skipped) {
  std::map<std::string, std::vector<std::shared_ptr<const WorkflowDefinition>>, std::less<>>
      loaded;
  std::map<std::string, uint32_t, std::less<>> highest;
  Status scan = log_.ScanDefinitions([&](std::string_view name, uint32_t version,
                                         std::string_view json) {
    uint32_t& highest_of_name = highest[std::string(name)];
    highest_of_name = std::max(highest_of_name, version);
    std::string what = "workflow " + std::string(name) + " v" + std::to_string(version);
    boost::system::error_code ec;
    boost::json::value document = ParseJsonText(json, ec);
    if (ec) {
      return skipped(Status::Corruption(what + ": stored JSON does not parse: " + ec.message()));
    }
    auto definition = ParseDefinition(name, document);
    if (!definition.ok()) {
      return skipped(Status::Corruption(what + ": " + definition.status().message()));
    }
    auto copy = std::make_shared<WorkflowDefinition>(**definition);
    copy->version = version;
    loaded[std::string(name)].push_back(std::move(copy));
  });
  if (!scan.ok()) return scan;
  std::unique_lock lock(mutex_);
  versions_ = std::move(loaded);
  highest_stored_ = std::move(highest);
  return Status::Ok();
}

Result<WorkflowView> WorkflowRegistry::Apply(
    std::string_view name, const boost::json::value& document,
    const std::function<Status(const WorkflowDefinition* latest)>& allowed) {
  return Edit(name, [&](const WorkflowDefinition*) { return document; }, allowed);
}

Result<WorkflowView> WorkflowRegistry::Edit(
    std::string_view name,
    const std::function<Result<boost::json::value>(const WorkflowDefinition* latest)>& edit,
    const std::function<Status(const WorkflowDefinition* latest)>& allowed) {
  std::lock_guard apply_lock(apply_mutex_);
  auto latest = Latest(name);
  // Access first: who may not apply learns nothing from how the document would be judged.
  if (Status may = allowed(latest.get()); !may.ok()) return may;
  Result<boost::json::value> edited = edit(latest.get());
  if (!edited.ok()) return edited.status();
  const boost::json::value& document = *edited;
  auto parsed = ParseDefinition(name, document);
  if (!parsed.ok()) return parsed.status();
  if (Status rules = CheckNewDefinition(**parsed); !rules.ok()) return rules;

  if (latest && latest->source == document) return ToView(*latest);

  auto definition = std::make_shared<WorkflowDefinition>(**parsed);
  definition->version = HighestStored(name) + 1;
  Status stored = log_.PutDefinition(name, definition->version, boost::json::serialize(document));
  if (!stored.ok()) return stored;
  {
    std::unique_lock lock(mutex_);
    versions_[std::string(name)].push_back(definition);
    highest_stored_[std::string(name)] = definition->version;
  }
  return ToView(*definition);
}

uint32_t WorkflowRegistry::HighestStored(std::string_view name) const {
  std::shared_lock lock(mutex_);
  auto it = highest_stored_.find(name);
  return it == highest_stored_.end() ? 0 : it->second;
}

std::shared_ptr<const WorkflowDefinition> WorkflowRegistry::Latest(std::string_view name) const {
  if (name == kAgentGateWorkflow) return AgentGateDefinition();
  std::shared_lock lock(mutex_);
  auto it = versions_.find(name);
  return it == versions_.end() || it->second.empty() ? nullptr : it->second.back();
}

std::shared_ptr<const WorkflowDefinition> WorkflowRegistry::Get(std::string_view name,
                                                                uint32_t version) const {
  if (name == kAgentGateWorkflow) return version == 1 ? AgentGateDefinition() : nullptr;
  std::shared_lock lock(mutex_);
  auto it = versions_.find(name);
  if (it == versions_.end()) return nullptr;
  for (const auto& definition : it->second) {
    if (definition->version == version) return definition;
  }
  return nullptr;
}

std::vector<std::shared_ptr<const WorkflowDefinition>> WorkflowRegistry::AllLatest() const {
  std::shared_lock lock(mutex_);
  std::vector<std::shared_ptr<const WorkflowDefinition>> latest;
  for (const auto& [name, versions] : versions_) {
    if (!versions.empty()) latest.push_back(versions.back());
  }
  return latest;
}

std::vector<std::shared_ptr<const WorkflowDefinition>> WorkflowRegistry::Versions(
    std::string_view name) const {
  std::shared_lock lock(mutex_);
  auto it = versions_.find(name);
  return it == versions_.end() ? std::vector<std::shared_ptr<const WorkflowDefinition>>()
                               : it->second;
}

WorkflowView WorkflowRegistry::ToView(const WorkflowDefinition& definition) {
  // The definition as applied, but for the secrets of its notify targets and hooks.
  return WorkflowView{definition.name, definition.version,
                      RedactHookSecrets(RedactNotifySecrets(definition.source)),
                      definition.disabled};
}

}  // namespace assent::engine
