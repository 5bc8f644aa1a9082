#include "engine/internal/http_retry.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <locale>
#include <sstream>

#include <boost/json/object.hpp>
#include <date/date.h>

#include "engine/engine.h"
#include "engine/internal/duration_text.h"

namespace assent::engine {
namespace {

namespace json = boost::json;

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kMaxGiveUpAfterMs = 366 * kDay;
constexpr int64_t kMaxRetryAfterMs = 365 * kDay;
constexpr size_t kMaxRetryOn = 100;

Status Invalid(std::string_view field, const std::string& problem) {
  return Status::InvalidArgument("'retry': '" + std::string(field) + "' " + problem);
}

// A duration field from `min_ms` to `max_ms`, written as duration text ("30s").
Status ReadDuration(const json::object& object, std::string_view field, int64_t min_ms,
                    int64_t max_ms, std::string_view range, std::optional<int64_t>& out) {
  const json::value* value = object.if_contains(field);
  if (value == nullptr) return Status::Ok();
  if (!value->is_string()) return Invalid(field, "must be a duration such as \"30s\"");
  Result<int64_t> ms = ParseDuration(value->as_string());
  if (!ms.ok()) return Invalid(field, ms.status().message());
  if (*ms < min_ms || *ms > max_ms) return Invalid(field, "must be from " + std::string(range));
  out = *ms;
  return Status::Ok();
}

Status ReadJitter(const json::object& object, std::optional<double>& out) {
  const json::value* value = object.if_contains("jitter");
  if (value == nullptr) return Status::Ok();
  if (value->is_bool()) {
    out = value->as_bool() ? kDefaultJitter : 0.0;
    return Status::Ok();
  }
  if (value->is_number()) {
    double fraction = value->to_number<double>();
    if (fraction >= 0 && fraction <= 1) {
      out = fraction;
      return Status::Ok();
    }
  }
  return Invalid("jitter", "must be true, false or a fraction from 0 to 1");
}

Status ReadRetryOn(const json::object& object, std::optional<std::vector<unsigned>>& out) {
  const json::value* value = object.if_contains("retry_on");
  if (value == nullptr) return Status::Ok();
  const std::string what = "must be a list of up to " + std::to_string(kMaxRetryOn) +
                           " HTTP status codes (100 to 599)";
  if (!value->is_array() || value->as_array().size() > kMaxRetryOn) {
    return Invalid("retry_on", what);
  }
  std::vector<unsigned> codes;
  for (const json::value& code : value->as_array()) {
    if (!code.is_int64() || code.as_int64() < 100 || code.as_int64() > 599) {
      return Invalid("retry_on", what);
    }
    codes.push_back(static_cast<unsigned>(code.as_int64()));
  }
  out = std::move(codes);
  return Status::Ok();
}

}  // namespace

Status ParseHttpRetry(const json::value& retry, HttpRetrySpec& spec) {
  if (!retry.is_object()) {
    return Status::InvalidArgument(
        "'retry' must be an object such as {\"max_attempts\": 5, \"backoff\": \"1s\"}");
  }
  const json::object& object = retry.as_object();
  static constexpr std::string_view kFields[] = {"max_attempts", "backoff", "max_backoff",
                                                 "jitter",       "retry_on", "give_up_after"};
  for (const auto& entry : object) {
    std::string_view key = entry.key();
    if (std::find(std::begin(kFields), std::end(kFields), key) == std::end(kFields)) {
      return Status::InvalidArgument(
          "'retry': unknown field '" + std::string(key) +
          "' (it takes max_attempts, backoff, max_backoff, jitter, retry_on, give_up_after)");
    }
  }
  if (const json::value* attempts = object.if_contains("max_attempts")) {
    if (!attempts->is_int64() || attempts->as_int64() < 1 ||
        attempts->as_int64() > kMaxHttpAttempts) {
      return Invalid("max_attempts",
                     "must be an integer from 1 to " + std::to_string(kMaxHttpAttempts));
    }
    spec.max_attempts = static_cast<uint32_t>(attempts->as_int64());
  }
  if (Status s = ReadDuration(object, "backoff", 1, kDay, "1ms to 24h", spec.backoff_ms); !s.ok()) {
    return s;
  }
  if (Status s = ReadDuration(object, "max_backoff", 1, kDay, "1ms to 24h", spec.max_backoff_ms);
      !s.ok()) {
    return s;
  }
  if (Status s = ReadDuration(object, "give_up_after", 1'000, kMaxGiveUpAfterMs, "1s to 366d",
                              spec.give_up_after_ms);
      !s.ok()) {
    return s;
  }
  if (spec.backoff_ms && spec.max_backoff_ms && *spec.backoff_ms > *spec.max_backoff_ms) {
    return Invalid("backoff", "must not be longer than 'max_backoff'");
  }
  if (Status s = ReadJitter(object, spec.jitter); !s.ok()) return s;
  return ReadRetryOn(object, spec.retry_on);
}

HttpRetryPolicy ResolveHttpRetry(const HttpRetrySpec& spec, const EngineOptions& options) {
  HttpRetryPolicy policy;
  policy.max_attempts = spec.max_attempts.value_or(options.http_max_attempts);
  policy.backoff_ms = spec.backoff_ms.value_or(options.http_retry_backoff_ms);
  policy.max_backoff_ms = spec.max_backoff_ms.value_or(options.http_max_backoff_ms);
  policy.jitter = spec.jitter.value_or(options.http_retry_jitter);
  policy.retry_on = spec.retry_on;
  policy.give_up_after_ms = spec.give_up_after_ms.value_or(options.http_give_up_after_ms);
  return policy;
}

bool RetriesStatus(const HttpRetryPolicy& policy, unsigned status) {
  if (policy.retry_on) {
    return std::find(policy.retry_on->begin(), policy.retry_on->end(), status) !=
           policy.retry_on->end();
  }
  return status >= 500 || status == 408 || status == 429;
}

int64_t RetryDelayMs(const HttpRetryPolicy& policy, uint32_t failure, double spread) {
  const int64_t cap = std::max<int64_t>(policy.max_backoff_ms, 1);
  int64_t delay = std::clamp<int64_t>(policy.backoff_ms, 1, cap);
  for (uint32_t i = 1; i < failure && delay < cap; ++i) delay = std::min(delay * 2, cap);
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0) * std::clamp(spread, 0.0, 1.0);
  delay -= static_cast<int64_t>(static_cast<double>(delay) * jitter);
  return std::max<int64_t>(delay, 1);
}

double JitterSpread(std::string_view run_id, uint64_t visit_seq, uint32_t attempt) {
  // FNV-1a over the three, then the top 53 bits as a fraction.
  uint64_t hash = 14695981039346656037ull;
  auto mix = [&](std::string_view bytes) {
    for (char c : bytes) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 1099511628211ull;
    }
  };
  mix(run_id);
  mix(std::to_string(visit_seq) + "/" + std::to_string(attempt));
  hash ^= hash >> 33;  // FNV's low bits mix poorly into the high ones on short inputs
  hash *= 0xff51afd7ed558ccdull;
  hash ^= hash >> 33;
  return static_cast<double>(hash >> 11) / static_cast<double>(uint64_t{1} << 53);
}

namespace {

// An HTTP date as IMF-fixdate (RFC 9110, 5.6.7), the one form a sender may generate; the
// obsolete RFC 850 and asctime forms are not read. The weekday must be the date's.
std::optional<int64_t> ParseHttpDateMs(std::string_view text) {
  if (text.size() != 29) return std::nullopt;  // "Sun, 06 Nov 1994 08:49:37 GMT"
  std::istringstream in{std::string(text)};
  in.imbue(std::locale::classic());
  date::sys_seconds at;
  in >> date::parse("%a, %d %b %Y %H:%M:%S GMT", at);
  if (in.fail() || in.peek() != std::char_traits<char>::eof()) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

}  // namespace

std::optional<int64_t> RetryAfterMs(std::string_view header, int64_t now_ms) {
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) {
    header.remove_prefix(1);
  }
  while (!header.empty() && (header.back() == ' ' || header.back() == '\t')) {
    header.remove_suffix(1);
  }
  if (std::optional<int64_t> at = ParseHttpDateMs(header)) {
    return std::clamp(*at - now_ms, int64_t{0}, kMaxRetryAfterMs);
  }
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), seconds);
  if (header.empty() || ec != std::errc() || end != header.data() + header.size() ||
      seconds < 0) {
    return std::nullopt;
  }
  return std::min(seconds, kMaxRetryAfterMs / 1000) * 1000;
}

}  // namespace assent::engine
