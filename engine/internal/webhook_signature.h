// The Assent-Signature header of a webhook delivery, as Stripe signs its webhooks:
//
//   Assent-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//
// The receiver recomputes the HMAC over the timestamp, a '.', and the raw body it received,
// compares it in constant time, and refuses a timestamp too far from its clock (replays).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace assent::engine {

// Lower-case hex of HMAC-SHA256(secret, "<unix_seconds>.<body>").
std::string WebhookHmac(std::string_view secret, int64_t unix_seconds, std::string_view body);

// Lower-case hex of HMAC-SHA256(secret, text): also what an inbound hook's signature header
// carries (inbound_hooks.h).
std::string HmacSha256Hex(std::string_view secret, std::string_view text);

// "t=<unix_seconds>,v1=<WebhookHmac(...)>".
std::string WebhookSignature(std::string_view secret, int64_t unix_seconds,
                             std::string_view body);

}  // namespace assent::engine
