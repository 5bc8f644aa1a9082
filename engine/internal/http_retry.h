// How an http step retries a failed attempt: its `retry` object, the server's defaults under
// it, and the arithmetic of the wait before the next attempt.
//
//   "retry": {"max_attempts": 5, "backoff": "1s", "max_backoff": "5m", "jitter": true,
//             "retry_on": [503, 429], "give_up_after": "24h"}
//
// Every field is optional: what a step leaves out comes from the server (EngineOptions, the
// `--http-retry-*` flags), whose defaults are patient, as a durable engine's must be: a payee
// down for a minute must not fail an approved payment for good. Waits grow from `backoff`,
// doubling after each failure up to `max_backoff`, less up to `jitter` of themselves, and the
// step gives up once a retry would start more than `give_up_after` after its first failure
// (or after `max_attempts` attempts, when set).
//
// Network failures and time-outs are always retried; a response is retried when its status is
// in `retry_on`, by default 5xx, 408 and 429 (another 4xx will not succeed by trying again).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "base/status.h"

namespace assent::engine {

struct EngineOptions;

// A step's `retry` object as written: absent fields are the server's.
struct HttpRetrySpec {
  std::optional<uint32_t> max_attempts;  // also the step's older top-level `max_attempts`
  std::optional<int64_t> backoff_ms;
  std::optional<int64_t> max_backoff_ms;
  std::optional<double> jitter;  // the fraction a wait may be shortened by; true: 0.2
  std::optional<std::vector<unsigned>> retry_on;
  std::optional<int64_t> give_up_after_ms;

  bool operator==(const HttpRetrySpec&) const = default;
};

// What a step's attempts follow: its spec over the server's defaults.
struct HttpRetryPolicy {
  uint32_t max_attempts = 0;  // 0: no limit by count, only give_up_after
  int64_t backoff_ms = 1'000;
  int64_t max_backoff_ms = 300'000;
  double jitter = 0.2;
  std::optional<std::vector<unsigned>> retry_on;  // none: 5xx, 408 and 429
  int64_t give_up_after_ms = 86'400'000;
};

// The jitter `"jitter": true` stands for.
inline constexpr double kDefaultJitter = 0.2;
// The most attempts a step may ask for.
inline constexpr uint32_t kMaxHttpAttempts = 10'000;

// Reads a step's `retry` value into `spec` (fields already set stay unless the object sets
// them). kInvalidArgument names the field: "'retry': 'backoff' must be from 1ms to 24h".
Status ParseHttpRetry(const boost::json::value& retry, HttpRetrySpec& spec);

HttpRetryPolicy ResolveHttpRetry(const HttpRetrySpec& spec, const EngineOptions& options);

// Whether a response with `status` is worth another attempt under `policy`.
bool RetriesStatus(const HttpRetryPolicy& policy, unsigned status);

// The wait before the attempt after failure number `failure` (1: the first failure): backoff
// doubled failure - 1 times, at most max_backoff, shortened by up to `jitter` of itself as
// `spread` (0 to 1) says. Never less than 1 ms.
int64_t RetryDelayMs(const HttpRetryPolicy& policy, uint32_t failure, double spread);

// A value in [0, 1) that is the same for the same attempt of the same visit of a run's step,
// and scattered across runs: the jitter's draw, with no randomness in the decider.
double JitterSpread(std::string_view run_id, uint64_t visit_seq, uint32_t attempt);

// A Retry-After header's delay in ms at `now_ms`: delta-seconds ("120") or an HTTP date in the
// form every sender must use ("Wed, 21 Oct 2015 07:28:00 GMT": the time left until then, 0 once
// past); nullopt for anything else, and the backoff applies. At most a year.
std::optional<int64_t> RetryAfterMs(std::string_view header, int64_t now_ms);

}  // namespace assent::engine
