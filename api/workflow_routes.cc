#include "api/workflow_routes.h"

#include <charconv>
#include <limits>

#include "base/json_diff.h"

namespace assent::api {
namespace {

namespace json = boost::json;

// ?<key>= as a version number (1 and up); nullopt when absent; an error names the parameter.
Result<std::optional<uint32_t>> VersionParam(const Call& call, std::string_view key) {
  std::optional<std::string> text = call.Query(key);
  if (!text) return std::optional<uint32_t>();
  uint32_t version = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), version);
  if (ec != std::errc() || end != text->data() + text->size() || version == 0) {
    return Status::InvalidArgument("'" + std::string(key) + "' must be a version number (1 to " +
                                   std::to_string(std::numeric_limits<uint32_t>::max()) + ")");
  }
  return std::optional<uint32_t>(version);
}

const engine::WorkflowView* FindVersion(const std::vector<engine::WorkflowView>& versions,
                                        uint32_t version) {
  for (const engine::WorkflowView& view : versions) {
    if (view.version == version) return &view;
  }
  return nullptr;
}

void SetDisabled(Call& call, bool disabled) {
  call.reply.View(call.engine.SetWorkflowDisabled(call.caller, call.params[0], disabled));
}

}  // namespace

void ListWorkflowVersions(Call& call) {
  call.reply.List(call.engine.ListWorkflowVersions(call.caller, call.params[0]), "versions");
}

void DiffWorkflowVersions(Call& call) {
  auto from = call.Command(VersionParam(call, "from"));
  if (!from) return;
  auto to = call.Command(VersionParam(call, "to"));
  if (!to) return;
  auto versions = call.Command(call.engine.ListWorkflowVersions(call.caller, call.params[0]));
  if (!versions) return;
  if (versions->empty()) {  // the engine answers kNotFound instead; an answer must not rely on it
    return call.reply.Error(
        ApiError::NotFound("workflow '" + call.params[0] + "' has no versions"));
  }
  // Newest first: the latest, and the version before the one compared with.
  uint32_t to_version = to->value_or(versions->front().version);
  uint32_t from_version = from->value_or(to_version > 1 ? to_version - 1 : to_version);
  const engine::WorkflowView* before = FindVersion(*versions, from_version);
  const engine::WorkflowView* after = FindVersion(*versions, to_version);
  if (before == nullptr || after == nullptr) {
    return call.reply.Error(ApiError::NotFound(
        "workflow '" + call.params[0] + "' has no version " +
        std::to_string(before == nullptr ? from_version : to_version) + " (its latest is " +
        std::to_string(versions->front().version) + ")"));
  }
  call.reply.Json(boost::beast::http::status::ok,
                  json::object{{"workflow", call.params[0]},
                               {"from", from_version},
                               {"to", to_version},
                               {"changes", JsonDiff(before->definition, after->definition)}});
}

void DisableWorkflow(Call& call) { SetDisabled(call, true); }
void EnableWorkflow(Call& call) { SetDisabled(call, false); }

}  // namespace assent::api
