// Tool-level gates: an http or code step with `require_approval` waits for an approval before
// each call, and the approval shows the call exactly as it will be made, credentials masked.
// An http step's call then runs with the approved body (a reviewer's edits applied).
//
//   {"id": "delete", "type": "http", "method": "DELETE", "url": "...",
//    "require_approval": "request.body.count > 100", "on_reject": "explain"}
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "base/status.h"
#include "engine/internal/definition.h"
#include "engine/internal/http_call.h"
#include "engine/views.h"

namespace assent::engine {

// The fields a gated step's approval shows of its call; a gate's own `show` adds others.
inline constexpr std::string_view kGateCallFields[] = {"method", "url", "headers", "body", "code"};

// What a gated http step's approval shows: {"method", "url", "headers", "body"} (no "body" when
// the request has none; the body as JSON). The values of headers that carry credentials
// (IsSecretHeader) are "***", and so are a URL's password and the values of its query
// parameters with secret-sounding names; paths and bodies are shown as they are. The
// Idempotency-Key Assent adds is left out: it names the visit of the step, which starts with
// the call, so the one rendered before the gate is not the call's. kInvalidArgument when the
// body is too deep to show.
Result<boost::json::object> ShownRequest(const HttpCallRequest& request);

// What a gated code step's approval shows: {"code": its Lua}.
boost::json::object ShownCode(const StepDefinition& step);

// Cookie, and any header whose name says token, secret, key, pass (password, passwd), auth
// (Authorization, Proxy-Authorization), session, signature, credential or bearer, or has sig,
// pwd or pw as a word of its own (X-Sig, api_pwd).
bool IsSecretHeader(std::string_view name);

// `url` with its password and secret-sounding query values as "***"; unparsable text as is.
std::string MaskedUrl(std::string_view url);

// The approval's message when the gate's `message` is empty: "Run DELETE https://...?"
std::string DefaultGateMessage(const StepDefinition& step, const boost::json::object& shown);

// The body the approved call sends: the `body` the approval showed, with the deciding reviewer's
// edits applied (an approval asked again before a retry shows the body the last one approved).
void UseApprovedBody(const ApprovalView& approval, HttpCallRequest& request);

}  // namespace assent::engine
