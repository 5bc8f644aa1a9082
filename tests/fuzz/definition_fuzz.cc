// Workflow definitions from arbitrary JSON text (engine::ParseDefinition, as PUT
// /v1/workflows/{name} hands them over). Properties of a definition that parses:
// - every successor a step names (next, then, else, on_reject, or the step after it) is a step
//   of the definition or "end", and no step is called "end";
// - its document, serialized and parsed again as the registry does, is a definition with the
//   same steps;
// - the rules for new definitions (CheckNewDefinition) give the same verdict on both;
// - the step flow checks (CheckStepFlow) find a step that cannot run or cannot reach "end"
//   exactly when a fixed point grown here does (their other refusals are of templates);
// - its notify targets read back the same, and the view of its document shows "***" where
//   each target's secret was (the workflow's and each notify step's), and each URL as it is or
//   ending in "/***"; its hooks read back the same, and the view shows "***" for each one's
//   secret.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "engine/internal/definition.h"
#include "engine/internal/definition_checks.h"
#include "base/json_text.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace json = boost::json;
using assent::Status;
using assent::engine::kEndStep;
using assent::engine::StepDefinition;
using assent::engine::WorkflowDefinition;

bool Resolves(const WorkflowDefinition& definition, const std::string& target) {
  return target.empty() || target == kEndStep || definition.Find(target) != nullptr;
}

// Where a run can go from `step`, "end" included, as run_commands.cc moves it.
std::vector<std::string> Moves(const WorkflowDefinition& definition, const StepDefinition& step) {
  if (step.type == assent::engine::StepType::kCondition) return {step.then_step, step.else_step};
  std::vector<std::string> moves{definition.NextAfter(step)};
  if (!step.on_reject.empty()) moves.push_back(step.on_reject);
  return moves;
}

// Whether every step can run and can then reach "end": grown to a fixed point, where
// definition_checks.cc searches.
bool EveryStepRunsAndEnds(const WorkflowDefinition& definition) {
  std::set<std::string> runs{definition.steps.front().id};
  std::set<std::string> ends{std::string(kEndStep)};
  for (bool grew = true; grew;) {
    grew = false;
    for (const StepDefinition& step : definition.steps) {
      for (const std::string& to : Moves(definition, step)) {
        if (runs.contains(step.id) && to != kEndStep) grew |= runs.insert(to).second;
        if (ends.contains(to)) grew |= ends.insert(step.id).second;
      }
    }
  }
  return runs.size() == definition.steps.size() && ends.size() == definition.steps.size() + 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  boost::system::error_code ec;
  json::value document =
      json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec);
  if (ec) return 0;
  // The name the document declares, so realistic seeds get past the name check.
  std::string name = "wf";
  const json::object* object = document.if_object();
  const json::value* declared = object ? object->if_contains("name") : nullptr;
  if (declared && declared->is_string()) name = std::string(declared->get_string());
  auto parsed = assent::engine::ParseDefinition(name, document);
  if (!parsed.ok()) return 0;
  const WorkflowDefinition& definition = **parsed;

  for (const StepDefinition& step : definition.steps) {
    FUZZ_CHECK(step.id != kEndStep);
    FUZZ_CHECK(definition.Find(step.id) == &step);
    FUZZ_CHECK(Resolves(definition, definition.NextAfter(step)));
    FUZZ_CHECK(Resolves(definition, step.then_step));
    FUZZ_CHECK(Resolves(definition, step.else_step));
    FUZZ_CHECK(Resolves(definition, step.on_reject));
  }

  // As the registry stores it and reads it back.
  boost::system::error_code reparse;
  auto again = assent::engine::ParseDefinition(
      name, assent::ParseJsonText(json::serialize(definition.source), reparse));
  FUZZ_CHECK(!reparse);
  FUZZ_CHECK_OK(again);
  FUZZ_CHECK((*again)->steps == definition.steps);
  FUZZ_CHECK((*again)->notify == definition.notify);
  const json::value shown = assent::engine::RedactNotifySecrets(definition.source);
  auto check_shown = [](const assent::engine::NotifyTarget& parsed, const json::value& view) {
    const json::object& target = view.as_object();
    FUZZ_CHECK(parsed.secret.empty() || target.at("secret") == "***");
    const json::string& url = target.at("url").as_string();
    FUZZ_CHECK(url == parsed.url || url.ends_with("/***"));
  };
  for (size_t i = 0; i < definition.notify.size(); ++i) {
    check_shown(definition.notify[i], shown.at("notify").at(i));
  }
  for (size_t i = 0; i < definition.steps.size(); ++i) {
    if (definition.steps[i].type != assent::engine::StepType::kNotify) continue;
    check_shown(definition.steps[i].target, shown.at("steps").at(i).at("target"));
  }
  FUZZ_CHECK((*again)->hooks == definition.hooks);
  const json::value hooks_shown = assent::engine::RedactHookSecrets(definition.source);
  for (size_t i = 0; i < definition.hooks.size(); ++i) {
    FUZZ_CHECK(hooks_shown.at("hooks").at(i).at("secret") == "***");
  }
  FUZZ_CHECK(assent::engine::CheckNewDefinition(definition).ok() ==
             assent::engine::CheckNewDefinition(**again).ok());
  const Status flow = assent::engine::CheckStepFlow(definition);
  const bool refers = flow.message().find(" refers to steps.") != std::string::npos;
  FUZZ_CHECK(EveryStepRunsAndEnds(definition) == (flow.ok() || refers));
  return 0;
}
