#include "engine/internal/workflow_registry.h"

#include <boost/json/serialize.hpp>

#include "engine/internal/json_text.h"

namespace assent::engine {

Status WorkflowRegistry::Load() {
  Status problem;
  std::map<std::string, std::vector<std::shared_ptr<const WorkflowDefinition>>, std::less<>>
      loaded;
  Status scan = log_.ScanDefinitions([&](std::string_view name, uint32_t version,
                                         std::string_view json) {
    if (!problem.ok()) return;
    boost::system::error_code ec;
    boost::json::value document = ParseJsonText(json, ec);
    if (ec) {
      problem = Status::Corruption("workflow " + std::string(name) + " v" +
                                   std::to_string(version) + ": stored JSON does not parse");
      return;
    }
    auto definition = ParseDefinition(name, document);
    if (!definition.ok()) {
      problem = Status::Corruption("workflow " + std::string(name) + " v" +
                                   std::to_string(version) + ": " + definition.status().message());
      return;
    }
    auto copy = std::make_shared<WorkflowDefinition>(**definition);
    copy->version = version;
    loaded[std::string(name)].push_back(std::move(copy));
  });
  if (!scan.ok()) return scan;
  if (!problem.ok()) return problem;
  std::unique_lock lock(mutex_);
  versions_ = std::move(loaded);
  return Status::Ok();
}

Result<WorkflowView> WorkflowRegistry::Apply(std::string_view name,
                                             const boost::json::value& document) {
  auto parsed = ParseDefinition(name, document);
  if (!parsed.ok()) return parsed.status();

  std::lock_guard apply_lock(apply_mutex_);
  auto latest = Latest(name);
  if (latest && latest->source == document) return ToView(*latest);

  auto definition = std::make_shared<WorkflowDefinition>(**parsed);
  definition->version = latest ? latest->version + 1 : 1;
  Status stored = log_.PutDefinition(name, definition->version, boost::json::serialize(document));
  if (!stored.ok()) return stored;
  {
    std::unique_lock lock(mutex_);
    versions_[std::string(name)].push_back(definition);
  }
  return ToView(*definition);
}

std::shared_ptr<const WorkflowDefinition> WorkflowRegistry::Latest(std::string_view name) const {
  std::shared_lock lock(mutex_);
  auto it = versions_.find(name);
  return it == versions_.end() || it->second.empty() ? nullptr : it->second.back();
}

std::shared_ptr<const WorkflowDefinition> WorkflowRegistry::Get(std::string_view name,
                                                                uint32_t version) const {
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

WorkflowView WorkflowRegistry::ToView(const WorkflowDefinition& definition) {
  return WorkflowView{definition.name, definition.version, definition.source};
}

}  // namespace assent::engine
