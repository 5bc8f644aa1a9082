// What an http step may send, checked twice: when its definition is applied (the literal
// parts: method, header names, header values as written, the URL's origin) and when it runs
// (the URL as rendered; the call itself then checks the method, every header and the URL
// again before anything is written, see http_call.h).
//
// The origin rule: the scheme, host and port of a step's URL must be literal text, so run
// input cannot aim the call at another service. A step opts in to taking them from run data
// with `allow_hosts` (host_allow_list.h), and the rendered URL must then name a listed host.
//
// Pure functions; thread-safe.
#pragma once

#include <string>

#include <boost/json/object.hpp>

#include "base/status.h"
#include "engine/internal/definition.h"

namespace assent::engine {

// At apply time. Messages name the field: "header 'X-V': value contains LF (0x0A) at offset 1;
// ...", "url: the scheme, host and port must be literal ...".
Status CheckHttpStep(const StepDefinition& step);

// At run time: the step's URL rendered against `context` (values after the origin
// percent-encoded, url_template.h), a valid outbound URL (outbound_url.h) that meets the
// origin rule. Messages start "url: ".
Result<std::string> RenderStepUrl(const StepDefinition& step, const boost::json::object& context);

}  // namespace assent::engine
