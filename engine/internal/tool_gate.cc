#include "engine/internal/tool_gate.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "base/json_text.h"

namespace assent::engine {
namespace {

namespace json = boost::json;

constexpr std::string_view kMasked = "***";

std::string Lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

// Names of headers and query parameters that usually carry a credential.
bool SoundsSecret(std::string_view name) {
  static constexpr std::array<std::string_view, 9> kWords{
      "token", "secret", "key", "password", "passwd", "auth", "session", "signature",
      "credential"};
  const std::string lower = Lower(name);
  return std::any_of(kWords.begin(), kWords.end(), [&](std::string_view word) {
    return lower.find(word) != std::string::npos;
  });
}

}  // namespace

bool IsSecretHeader(std::string_view name) {
  const std::string lower = Lower(name);
  return lower == "cookie" || SoundsSecret(lower);
}

std::string MaskedUrl(std::string_view text) {
  auto parsed = boost::urls::parse_absolute_uri(text);
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

json::object ShownRequest(const HttpCallRequest& request) {
  json::object headers;
  for (const auto& [name, value] : request.headers) {
    // Assent's own, per visit of the step: the call's differs from the one rendered before it.
    if (Lower(name) == "idempotency-key") continue;
    headers[name] = IsSecretHeader(name) ? json::string(kMasked) : json::string(value);
  }
  json::object shown{{"method", request.method},
                     {"url", MaskedUrl(request.url)},
                     {"headers", std::move(headers)}};
  if (!request.body.empty()) {
    boost::system::error_code ec;
    json::value body = ParseJsonText(request.body, ec);  // rendered from JSON: it parses
    shown["body"] = ec ? json::value(json::string(request.body)) : std::move(body);
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
