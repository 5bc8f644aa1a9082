#include "api/app/notify_flags.h"

#include <boost/url/parse.hpp>

#include "api/app/server_flags.h"
#include "api/webhook_payload.h"

namespace assent::app {

std::vector<cli::FlagSpec> NotifyFlags() {
  return {
      {"public-url", true,
       "the server's address as reviewers reach it (https://assent.example): notifications "
       "link to URL/approvals/<id> (default: no link)",
       "URL"},
      {"notify-retry-initial", true,
       "wait before retrying a failed webhook delivery, doubled after each failure up to 10 "
       "minutes (default 1s)",
       "DURATION"},
  };
}

Status ApplyNotifyFlags(const cli::ParsedArgs& args, engine::EngineOptions& options) {
  options.render_webhook = api::RenderWebhook;
  if (std::optional<std::string> text = args.Get("public-url")) {
    auto url = boost::urls::parse_absolute_uri(*text);
    if (!url || (url->scheme() != "http" && url->scheme() != "https") || !url->has_authority() ||
        url->host().empty() || url->has_query() || url->has_fragment()) {
      return Status::InvalidArgument(
          "--public-url must be an http:// or https:// URL without query or fragment, such as "
          "https://assent.example");
    }
    std::string base = *text;
    while (!base.empty() && base.back() == '/') base.pop_back();  // links add "/approvals/"
    options.public_url = std::move(base);
  }
  if (std::optional<std::string> text = args.Get("notify-retry-initial")) {
    std::optional<std::chrono::milliseconds> value = ParseDurationFlag(*text);
    if (!value) {
      return Status::InvalidArgument(
          "--notify-retry-initial must be a duration like 500ms or 30s, above 0 and at most a "
          "day");
    }
    options.notify_retry_initial = *value;
  }
  return Status::Ok();
}

}  // namespace assent::app
