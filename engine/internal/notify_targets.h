// NotifyTarget: where a workflow's approval notifications go, read from its definition's
// `notify` list (and where a notify step posts its message, read from the step's `target`):
//
//   "notify": [{"url": "https://hooks.example/T1", "format": "slack", "secret": "...",
//               "ca_file": "/etc/assent/private-ca.pem"}]
//
// `url` follows the rules of an http step's URL (outbound_url.h) and must be literal; `format`
// is "json" (the default) or "slack"; `secret` (optional) keys the Assent-Signature header;
// `ca_file` (optional, an absolute path) holds the only CAs trusted for an https target. The
// secret and the URL's path and query (where hook services keep their own secret) are never
// shown back: views of a definition pass through RedactNotifySecrets.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "base/status.h"
#include "engine/webhook.h"

namespace assent::engine {

struct NotifyTarget {
  std::string url;
  WebhookFormat format = WebhookFormat::kJson;
  std::string secret;   // empty: deliveries are not signed
  std::string ca_file;  // empty: the system's CA store

  bool operator==(const NotifyTarget&) const = default;
};

// At most this many targets per workflow, and secrets of at most this many bytes.
inline constexpr size_t kMaxNotifyTargets = 16;
inline constexpr size_t kMaxNotifySecretBytes = 1024;

// Reads one target object; kInvalidArgument messages start with `label` and name the field:
// "step 'tell': 'target' (https://x.example/h): 'format' must be \"json\" or \"slack\"".
Result<NotifyTarget> ParseNotifyTarget(const boost::json::value& value, const std::string& label);

// Reads a definition's `notify` value. kInvalidArgument names the target and field:
// "notify target #2 (https://x.example/h): 'format' must be \"json\" or \"slack\"".
Result<std::vector<NotifyTarget>> ParseNotifyTargets(const boost::json::value& notify);

// A `ca_file` value: empty, or an absolute path of at most 4096 bytes without NUL.
Status CheckCaFile(std::string_view path);

// `definition` with the `secret` of every notify target (the workflow's, and each notify step's
// `target`) replaced by "***", and its `url`'s path and query by "/***"
// ("https://hooks.example/***") when it has any.
boost::json::value RedactNotifySecrets(boost::json::value definition);

}  // namespace assent::engine
