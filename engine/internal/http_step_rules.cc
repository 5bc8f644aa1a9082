#include "engine/internal/http_step_rules.h"

#include "engine/internal/http_fields.h"
#include "engine/internal/outbound_url.h"
#include "engine/internal/template.h"
#include "engine/internal/url_template.h"

namespace assent::engine {
namespace {

constexpr std::string_view kLiteralOriginRule =
    "url: the scheme, host and port must be literal in the definition (a placeholder comes "
    "before the path); to take them from run data, list the hosts the step may call in "
    "\"allow_hosts\", e.g. [\"api.example.com\", \"*.example.com\", \"10.0.0.5:8080\"]";

// `url` (rendered or a sample) is a valid outbound URL whose host `step` may call.
Status CheckUrl(const StepDefinition& step, const std::string& url) {
  Result<OutboundUrl> parsed = ParseOutboundUrl(url);
  if (!parsed.ok()) return Status::InvalidArgument("url: " + parsed.status().message());
  if (!step.allow_hosts.empty() && !step.allow_hosts.Allows(parsed->host)) {
    return Status::InvalidArgument("url: host " + parsed->host.ToString() +
                                   " is not in allow_hosts (an entry without a port allows "
                                   "port 80 only)");
  }
  return Status::Ok();
}

// The URL with every placeholder as "x": where the placeholders lie, and the literal text
// around them, known without run data. Refused when the origin is not literal and the step
// has no allow_hosts.
Result<RenderedUrl> SampleUrl(const StepDefinition& step) {
  Result<RenderedUrl> sample = RenderUrlTemplate(
      step.url, [](std::string_view) -> Result<std::string> { return std::string("x"); });
  if (!sample.ok()) return Status::InvalidArgument("url: " + sample.status().message());
  if (sample->dynamic_origin && step.allow_hosts.empty()) {
    return Status::InvalidArgument(std::string(kLiteralOriginRule));
  }
  return sample;
}

}  // namespace

Status CheckHttpStep(const StepDefinition& step) {
  if (Status method = CheckMethod(step.method); !method.ok()) return method;
  for (const auto& [name, value] : step.headers) {
    // Names are never templates; a value's placeholders are printable, so checking the whole
    // template checks its literal text.
    Status checked = CheckFieldName(name);
    if (checked.ok()) checked = CheckFieldValue(value.as_string());
    if (!checked.ok()) {
      return Status::InvalidArgument("header '" + std::string(name) + "': " + checked.message());
    }
  }
  Result<RenderedUrl> sample = SampleUrl(step);
  if (!sample.ok()) return sample.status();
  if (sample->dynamic_origin) return Status::Ok();  // the origin is known only once rendered
  return CheckUrl(step, sample->url);
}

Result<std::string> RenderStepUrl(const StepDefinition& step, const boost::json::object& context) {
  // Also for a definition stored before the origin rule existed: it loads, but cannot call out.
  if (Result<RenderedUrl> sample = SampleUrl(step); !sample.ok()) return sample.status();
  Result<RenderedUrl> rendered = RenderUrlTemplate(
      step.url, [&](std::string_view path) { return ResolveText(path, context); });
  if (!rendered.ok()) return Status::InvalidArgument("url: " + rendered.status().message());
  if (Status status = CheckUrl(step, rendered->url); !status.ok()) return status;
  return std::move(rendered->url);
}

}  // namespace assent::engine
