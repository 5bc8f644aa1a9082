// A webhook receiver's check of Assent-Signature, written as a receiver would (README):
// HMAC-SHA256 with the shared secret over "<t>.<body>", compared in constant time with the
// header's v1. Independent of the engine's signer, so the tests check it rather than repeat it.
#pragma once

#include <string>

#include "tests/support/http_target.h"

namespace assent::testing {

bool WebhookSignatureValid(const ReceivedRequest& request, const std::string& secret);

// Lower-case hex HMAC-SHA256 of `text` keyed with `secret`: what a sender of an inbound hook's
// signature computes (GitHub's X-Hub-Signature-256 after "sha256=").
std::string HmacSha256Hex(const std::string& secret, const std::string& text);

}  // namespace assent::testing
