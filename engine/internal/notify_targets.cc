#include "engine/internal/notify_targets.h"

#include "engine/internal/link_local.h"
#include "engine/internal/outbound_url.h"

namespace assent::engine {
namespace {

namespace json = boost::json;

constexpr std::string_view kRedacted = "***";

// What a view shows of a target's URL: its scheme and host, the path and query (where hook
// services put their secret: https://hooks.slack.com/services/T0/B0/XXXX) as "/***".
std::string RedactedUrl(const OutboundUrl& url) {
  return (url.tls ? "https://" : "http://") + url.host_header + "/" + std::string(kRedacted);
}

}  // namespace

Result<NotifyTarget> ParseNotifyTarget(const json::value& value, const std::string& label) {
  if (!value.is_object()) {
    return Status::InvalidArgument(label + ": must be an object with a 'url'");
  }
  const json::object& object = value.as_object();
  auto fail = [&](const std::string& problem) {
    return Status::InvalidArgument(label + ": " + problem);
  };
  for (const auto& entry : object) {
    std::string_view key = entry.key();
    if (key != "url" && key != "format" && key != "secret" && key != "ca_file") {
      return fail("unknown field '" + std::string(key) + "' (expected url, format, secret, "
                  "ca_file)");
    }
    if (!entry.value().is_string()) return fail("'" + std::string(key) + "' must be a string");
  }
  NotifyTarget target;
  const json::value* url = object.if_contains("url");
  if (url == nullptr) return fail("missing required field 'url'");
  target.url = std::string(url->as_string());
  const std::string url_label = label + " (" + target.url + ")";
  Result<OutboundUrl> parsed = ParseOutboundUrl(target.url);
  if (!parsed.ok()) {
    return Status::InvalidArgument(url_label + ": 'url' " + parsed.status().message());
  }
  if (target.url == RedactedUrl(*parsed)) {
    // What GET /v1/workflows shows: applied back as it is, deliveries would go nowhere.
    return Status::InvalidArgument(label + ": 'url' is the redacted placeholder \".../***\";"
                                   " give the real URL");
  }
  if (parsed->host.kind != OutboundHost::Kind::kName) {
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(parsed->host.host, ec);
    if (!ec) {
      if (std::optional<std::string> range = LinkLocalOrMetadataRange(address)) {
        return Status::InvalidArgument(url_label + ": 'url' is in " + *range +
                                       ", where no webhook receiver lives");
      }
    }
  }
  if (const json::value* format = object.if_contains("format")) {
    if (format->as_string() == "slack") {
      target.format = WebhookFormat::kSlack;
    } else if (format->as_string() != "json") {
      return Status::InvalidArgument(url_label + ": 'format' must be \"json\" or \"slack\"");
    }
  }
  if (const json::value* secret = object.if_contains("secret")) {
    target.secret = std::string(secret->as_string());
    if (target.secret.empty() || target.secret.size() > kMaxNotifySecretBytes) {
      return Status::InvalidArgument(url_label + ": 'secret' must be 1 to " +
                                     std::to_string(kMaxNotifySecretBytes) + " bytes");
    }
    if (target.secret == kRedacted) {
      // What GET /v1/workflows shows: applied back as it is, every delivery would be signed
      // with "***".
      return Status::InvalidArgument(url_label + ": 'secret' is the redacted placeholder \"***\";"
                                     " give the real secret");
    }
  }
  if (const json::value* ca_file = object.if_contains("ca_file")) {
    target.ca_file = std::string(ca_file->as_string());
    if (Status checked = CheckCaFile(target.ca_file); !checked.ok()) {
      return Status::InvalidArgument(url_label + ": 'ca_file' " + checked.message());
    }
    if (!parsed->tls) return Status::InvalidArgument(url_label + ": 'ca_file' needs an https URL");
  }
  return target;
}

std::string_view ToString(WebhookFormat format) {
  return format == WebhookFormat::kSlack ? "slack" : "json";
}

Result<std::vector<NotifyTarget>> ParseNotifyTargets(const json::value& notify) {
  if (!notify.is_array()) return Status::InvalidArgument("'notify' must be an array of targets");
  const json::array& entries = notify.as_array();
  if (entries.size() > kMaxNotifyTargets) {
    return Status::InvalidArgument("'notify' lists " + std::to_string(entries.size()) +
                                   " targets; at most " + std::to_string(kMaxNotifyTargets));
  }
  std::vector<NotifyTarget> targets;
  for (const json::value& entry : entries) {
    // Numbered from 1, as people count.
    auto target = ParseNotifyTarget(entry, "notify target #" + std::to_string(targets.size() + 1));
    if (!target.ok()) return target.status();
    targets.push_back(std::move(target).value());
  }
  return targets;
}

Status CheckCaFile(std::string_view path) {
  if (path.empty()) return Status::Ok();
  if (path.front() != '/' || path.size() > 4096 || path.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("must be an absolute path of at most 4096 bytes");
  }
  return Status::Ok();
}

json::value RedactNotifySecrets(json::value definition) {
  json::object* object = definition.if_object();
  if (object == nullptr) return definition;
  auto redact = [](json::value& target) {
    json::object* fields = target.if_object();
    if (fields == nullptr) return;
    if (fields->contains("secret")) (*fields)["secret"] = kRedacted;
    const json::value* url_value = fields->if_contains("url");
    if (const json::string* url = url_value ? url_value->if_string() : nullptr) {
      Result<OutboundUrl> parsed = ParseOutboundUrl(*url);
      if (parsed.ok() && parsed->target != "/") (*fields)["url"] = RedactedUrl(*parsed);
    }
  };
  if (json::value* notify = object->if_contains("notify"); notify && notify->is_array()) {
    for (json::value& target : notify->as_array()) redact(target);
  }
  // A notify step's own target, whatever its step says about its type: a document stored
  // before the step type existed has none.
  if (json::value* steps = object->if_contains("steps"); steps && steps->is_array()) {
    for (json::value& step : steps->as_array()) {
      json::object* fields = step.if_object();
      if (json::value* target = fields ? fields->if_contains("target") : nullptr) redact(*target);
    }
  }
  return definition;
}

}  // namespace assent::engine
