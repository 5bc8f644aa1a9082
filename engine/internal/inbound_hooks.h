// InboundHook: a workflow's inbound webhook, read from its definition's `hooks` list:
//
//   "hooks": [{"id": "github-push", "secret": "...",
//              "signature": {"header": "X-Hub-Signature-256", "prefix": "sha256="},
//              "delivery_id_header": "X-GitHub-Delivery"}]
//
// POST /v1/hooks/{workflow}/{id} starts a run with the request body as input when the request
// proves it knows `secret`: without `signature`, by sending it as `Authorization: Bearer
// <secret>` (or an `X-Hook-Secret` header); with one, by the lower-case hex HMAC-SHA256 of the
// raw body keyed with it, after `prefix`, in `header` (as GitHub signs; Stripe-style
// timestamped signatures are not read). Both compare in constant time (CRYPTO_memcmp).
// Requests with the same value of `delivery_id_header` (default "X-Delivery-Id") start one run. Secrets are never shown back:
// views of a definition pass through RedactHookSecrets.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "base/status.h"

namespace assent::engine {

struct HookSignature {
  std::string header;  // lower case, as request headers are handed over
  std::string prefix;  // before the hex digest, e.g. "sha256="; may be empty

  bool operator==(const HookSignature&) const = default;
};

struct InboundHook {
  std::string id;
  std::string secret;
  std::optional<HookSignature> signature;  // none: the secret itself is sent
  std::string delivery_id_header = "x-delivery-id";  // lower case

  bool operator==(const InboundHook&) const = default;
};

// At most this many hooks per workflow; secrets of 16 to 1024 bytes.
inline constexpr size_t kMaxHooks = 16;
inline constexpr size_t kMinHookSecretBytes = 16;
inline constexpr size_t kMaxHookSecretBytes = 1024;
// The header a hook without a signature may carry its secret in, besides Authorization.
inline constexpr std::string_view kHookSecretHeader = "x-hook-secret";

// Reads a definition's `hooks` value. kInvalidArgument names the hook and field:
// "hook 'github-push': 'secret' must be 16 to 1024 bytes".
Result<std::vector<InboundHook>> ParseInboundHooks(const boost::json::value& hooks);

using HookHeaders = std::vector<std::pair<std::string, std::string>>;

// Whether the request (headers with lower-case names, raw body) proves it knows the hook's
// secret. kPermissionDenied says what is missing or wrong, never the secret nor what was sent.
Status AuthenticateHook(const InboundHook& hook, const HookHeaders& headers,
                        std::string_view body);

// The request's delivery id (the hook's delivery_id_header), or empty when it sent none.
// kInvalidArgument when it is longer than 200 bytes or not printable ASCII: it is kept as the
// run's idempotency key.
Result<std::string> HookDeliveryId(const InboundHook& hook, const HookHeaders& headers);

// Who a hook's start is recorded as (RunStarted's started_by, the audit's actor):
// "hook:<workflow>/<hook id>".
std::string HookActorId(std::string_view workflow, std::string_view hook_id);
// The idempotency key of a hook's start with a delivery id: "hook:<hook id>:<delivery id>".
std::string HookStartKey(std::string_view hook_id, std::string_view delivery_id);

// `definition` with every hook's `secret` replaced by "***".
boost::json::value RedactHookSecrets(boost::json::value definition);

}  // namespace assent::engine
