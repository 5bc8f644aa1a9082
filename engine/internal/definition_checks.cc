#include "engine/internal/definition_checks.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "engine/internal/template.h"

namespace assent::engine {
namespace {

namespace json = boost::json;

constexpr size_t kEnd = static_cast<size_t>(-1);

// One way the run moves on from a step, as run_commands.cc moves it: the field that says so
// (empty for the following step in the list) and the index of the step it goes to, or kEnd.
struct Edge {
  std::string_view field;
  size_t to = kEnd;
};

// The steps as a graph, by index in the list. Every target exists: ParseDefinition checked.
class StepGraph {
 public:
  explicit StepGraph(const WorkflowDefinition& definition) : edges_(definition.steps.size()) {
    const std::vector<StepDefinition>& steps = definition.steps;
    auto index_of = [&](const std::string& target) {
      return target == kEndStep ? kEnd : static_cast<size_t>(definition.Find(target) - &steps[0]);
    };
    for (size_t i = 0; i < steps.size(); ++i) {
      const StepDefinition& step = steps[i];
      std::vector<Edge>& out = edges_[i];
      if (step.type == StepType::kCondition) {
        out.push_back({"then", index_of(step.then_step)});
        out.push_back({"else", index_of(step.else_step)});
        continue;
      }
      if (!step.next.empty()) {
        out.push_back({"next", index_of(step.next)});
      } else {
        out.push_back({"", i + 1 < steps.size() ? i + 1 : kEnd});
      }
      if (!step.on_reject.empty()) out.push_back({"on_reject", index_of(step.on_reject)});
      if (!step.on_error.empty()) out.push_back({"on_error", index_of(step.on_error)});
    }
  }

  size_t size() const { return edges_.size(); }
  const std::vector<Edge>& EdgesOf(size_t step) const { return edges_[step]; }

  // The steps some path of one or more moves from `from` leads to.
  std::vector<bool> ReachedFrom(size_t from) const {
    std::vector<bool> reached(size(), false);
    std::vector<size_t> pending;
    for (const Edge& edge : edges_[from]) pending.push_back(edge.to);
    while (!pending.empty()) {
      const size_t step = pending.back();
      pending.pop_back();
      if (step == kEnd || reached[step]) continue;
      reached[step] = true;
      for (const Edge& edge : edges_[step]) pending.push_back(edge.to);
    }
    return reached;
  }

  // The steps from which some path leads to "end".
  std::vector<bool> ReachingEnd() const {
    std::vector<std::vector<size_t>> sources(size());
    std::vector<size_t> pending;
    for (size_t step = 0; step < size(); ++step) {
      for (const Edge& edge : edges_[step]) {
        if (edge.to == kEnd) {
          pending.push_back(step);
        } else {
          sources[edge.to].push_back(step);
        }
      }
    }
    std::vector<bool> reaching(size(), false);
    while (!pending.empty()) {
      const size_t step = pending.back();
      pending.pop_back();
      if (reaching[step]) continue;
      reaching[step] = true;
      pending.insert(pending.end(), sources[step].begin(), sources[step].end());
    }
    return reaching;
  }

 private:
  std::vector<std::vector<Edge>> edges_;
};

std::string Label(const StepDefinition& step) { return "step '" + step.id + "'"; }

Status CheckEveryStepRuns(const WorkflowDefinition& definition, const StepGraph& graph) {
  std::vector<bool> runs = graph.ReachedFrom(0);
  runs[0] = true;
  for (size_t step = 0; step < graph.size(); ++step) {
    if (runs[step]) continue;
    return Status::InvalidArgument(Label(definition.steps[step]) +
                                   " can never run: no path from the first step '" +
                                   definition.steps[0].id + "' leads to it");
  }
  return Status::Ok();
}

// A step that cannot reach "end" moves only to steps that cannot either, so following its
// first move from one to the next comes back round to a step already passed: that loop is the
// one reported, by the move of its last step in the list, which goes back up the list (so it is
// a named field: the following step is never back up).
Status CheckLoopsReachEnd(const WorkflowDefinition& definition, const StepGraph& graph) {
  const std::vector<bool> reaching = graph.ReachingEnd();
  size_t step = 0;
  while (step < graph.size() && reaching[step]) ++step;
  if (step == graph.size()) return Status::Ok();

  std::vector<size_t> walked;
  std::vector<size_t> position(graph.size(), kEnd);
  while (position[step] == kEnd) {
    position[step] = walked.size();
    walked.push_back(step);
    step = graph.EdgesOf(step).front().to;
  }
  const std::vector<size_t> loop(walked.begin() + position[step], walked.end());
  const size_t last = std::max_element(loop.begin(), loop.end()) - loop.begin();
  const Edge& back = graph.EdgesOf(loop[last]).front();
  // The loop as the run goes round it, from the step that move goes back to.
  std::string round;
  for (size_t i = 1; i <= loop.size() + 1; ++i) {
    if (i > 1) round += " -> ";
    round += definition.steps[loop[(last + i) % loop.size()]].id;
  }
  return Status::InvalidArgument(Label(definition.steps[loop[last]]) + ": '" +
                                 std::string(back.field) + "' goes back to '" +
                                 definition.steps[back.to].id + "', and no step of the loop " +
                                 round + " leads to 'end'");
}

// Collects the placeholder paths of `tmpl` (a string, or JSON holding strings) into `paths`.
Status CollectPaths(const json::value& tmpl, std::vector<std::string_view>& paths) {
  if (const json::string* text = tmpl.if_string()) {
    auto pieces = SplitTemplate(std::string_view(text->data(), text->size()));
    if (!pieces.ok()) return pieces.status();
    for (const TemplatePiece& piece : *pieces) {
      if (piece.is_placeholder) paths.push_back(piece.text);
    }
  } else if (const json::array* array = tmpl.if_array()) {
    for (const json::value& element : *array) {
      if (Status status = CollectPaths(element, paths); !status.ok()) return status;
    }
  } else if (const json::object* object = tmpl.if_object()) {
    for (const json::key_value_pair& member : *object) {
      if (Status status = CollectPaths(member.value(), paths); !status.ok()) return status;
    }
  }
  return Status::Ok();
}

// The templates a step renders, each with the field that holds it as messages name it.
std::vector<std::pair<std::string, json::value>> TemplatesOf(const StepDefinition& step) {
  std::vector<std::pair<std::string, json::value>> templates;
  if (step.type == StepType::kApproval) {
    templates.emplace_back("'message'", json::string(step.message));
    templates.emplace_back("'show'", step.show);
  } else if (step.type == StepType::kNotify) {
    templates.emplace_back("'message'", json::string(step.message));
  } else if (step.type == StepType::kHttp) {
    templates.emplace_back("'url'", json::string(step.url));
    templates.emplace_back("'body'", step.body);
    for (const json::key_value_pair& header : step.headers) {
      templates.emplace_back("header '" + std::string(header.key()) + "'", header.value());
    }
  } else if (step.type == StepType::kWait && !step.wait_until.empty()) {
    templates.emplace_back("'until'", json::string(step.wait_until));
  }
  if (step.gate != Gate::kNone) {
    templates.emplace_back("'require_approval' 'message'", json::string(step.message));
    templates.emplace_back("'require_approval' 'show'", step.show);
  }
  return templates;
}

Status CheckTemplateSteps(const WorkflowDefinition& definition, const StepGraph& graph) {
  constexpr std::string_view kSteps = "steps.";
  // For each step that templates refer to, the steps that may run after it has completed.
  std::vector<std::vector<bool>> after(graph.size());
  for (size_t step = 0; step < graph.size(); ++step) {
    for (const auto& [field, tmpl] : TemplatesOf(definition.steps[step])) {
      std::vector<std::string_view> paths;
      if (Status status = CollectPaths(tmpl, paths); !status.ok()) return status;
      for (std::string_view path : paths) {
        if (!path.starts_with(kSteps)) continue;
        // With no further '.', npos minus the offset still reaches the end: the whole rest.
        const std::string_view id = path.substr(kSteps.size(), path.find('.', kSteps.size()) -
                                                                   kSteps.size());
        const std::string problem = Label(definition.steps[step]) + ": " + field +
                                    " refers to steps." + std::string(id) + ", which ";
        const StepDefinition* referred = definition.Find(id);
        if (referred == nullptr) {
          return Status::InvalidArgument(problem + "is not a step of this workflow");
        }
        const size_t source = static_cast<size_t>(referred - &definition.steps[0]);
        if (after[source].empty()) after[source] = graph.ReachedFrom(source);
        if (!after[source][step]) {
          return Status::InvalidArgument(problem + "cannot have run before it: no path leads "
                                         "from '" + referred->id + "' to '" +
                                         definition.steps[step].id + "'");
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckStepFlow(const WorkflowDefinition& definition) {
  const StepGraph graph(definition);
  if (Status status = CheckEveryStepRuns(definition, graph); !status.ok()) return status;
  if (Status status = CheckLoopsReachEnd(definition, graph); !status.ok()) return status;
  return CheckTemplateSteps(definition, graph);
}

}  // namespace assent::engine
