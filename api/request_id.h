// Request ids: the server's name for one request or stream message. Each command records its
// request id in the events it causes, and every REST answer carries it as `X-Request-Id`, so
// a client's log line and the audit entry it caused can be matched. Not a secret, not an
// identity: only unique enough to tell requests apart (64 random bits).
#pragma once

#include <string>

namespace assent::api {

// 16 lowercase hex digits. Thread-safe (each thread draws from its own generator).
std::string NewRequestId();

}  // namespace assent::api
