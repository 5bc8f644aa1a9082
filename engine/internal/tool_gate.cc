#include "engine/internal/tool_gate.h"

#include <algorithm>
#include <array>

#include <boost/beast/core/string.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "base/ascii.h"
#include "base/json_text.h"
#include "engine/internal/stored_table.h"

namespace assent::engine {
namespace {

namespace json = boost::json;

constexpr std::string_view kMasked = "***";

// Names of headers and query parameters that usually carry a credential: those containing a
// word that says so, or made of words ("x-sig", "api_pwd") one of which is an abbreviation
// too short to look for inside others ("sig" is in "design").
bool SoundsSecret(std::string_view name) {
  static constexpr std::array<std::string_view, 9> kInside{
      "token", "secret", "key", "pass", "auth", "session", "signature", "credential", "bearer"};
  static constexpr std::array<std::string_view, 3> kWords{"sig", "pwd", "pw"};
  const std::string lower = AsciiLower(name);
  if (std::any_of(kInside.begin(), kInside.end(), [&](std::string_view word) {
        return lower.find(word) != std::string::npos;
      })) {
    return true;
  }
  std::string_view rest = lower;
  while (!rest.empty()) {
    const size_t end = rest.find_first_of("-_.");
    const std::string_view word = rest.substr(0, end);
    if (std::find(kWords.begin(), kWords.end(), word) != kWords.end()) return true;
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return false;
}

}  // namespace

bool IsSecretHeader(std::string_view name) {
  const std::string lower = AsciiLower(name);
  return lower == "cookie" || SoundsSecret(lower);
}

std::string MaskedUrl(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);  // a fragment too
  if (!parsed) return std::string(text);
  boost::urls::url url(*parsed);
  if (url.has_password()) url.set_password(kMasked);
  auto params = url.params();
  for (auto it = params.begin(); it != params.end(); ++it) {
    const boost::urls::param param = *it;
    if (param.has_value && SoundsSecret(param.key)) {
      it = params.replace(it, boost::urls::param_view(param.key, kMasked));
    }
  }
  return std::string(url.buffer());
}

Result<json::object> ShownRequest(const HttpCallRequest& request) {
  json::object headers;
  for (const auto& [name, value] : request.headers) {
    if (boost::beast::iequals(name, "Idempotency-Key")) continue;
    headers[name] = IsSecretHeader(name) ? json::string(kMasked) : json::string(value);
  }
  json::object shown{{"method", request.method},
                     {"url", MaskedUrl(request.url)},
                     {"headers", std::move(headers)}};
  if (!request.body.empty()) {
    boost::system::error_code ec;
    json::value body = ParseJsonText(request.body, ec, StoredJsonOptions());
    if (ec) return Status::InvalidArgument("the request's body cannot be shown: " + ec.message());
    shown["body"] = std::move(body);
  }
  return shown;
}

json::object ShownCode(const StepDefinition& step) { return json::object{{"code", step.lua}}; }

std::string DefaultGateMessage(const StepDefinition& step, const json::object& shown) {
  if (step.type != StepType::kHttp) return "Run step '" + step.id + "'?";
  return "Run " + std::string(shown.at("method").as_string()) + " " +
         std::string(shown.at("url").as_string()) + "?";
}

void UseApprovedBody(const ApprovalView& approval, HttpCallRequest& request) {
  json::object approved = approval.ApprovedShow();
  if (const json::value* body = approved.if_contains("body")) {
    request.body = json::serialize(*body);
  }
}

}  // namespace assent::engine
