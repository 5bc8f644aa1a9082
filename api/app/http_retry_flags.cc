#include "api/app/http_retry_flags.h"

#include <charconv>
#include <cstdlib>
#include <optional>
#include <string>

namespace assent::app {
namespace {

constexpr int64_t kDayMs = 86'400'000;

struct DurationFlag {
  const char* name;
  int64_t engine::EngineOptions::*field;
  const char* help;
  int64_t max_ms;
  const char* most;  // max_ms in words
};

const std::vector<DurationFlag>& Durations() {
  using O = engine::EngineOptions;
  static const std::vector<DurationFlag> flags = {
      {"http-retry-backoff", &O::http_retry_backoff_ms,
       "wait before an http step's first retry, doubled after each failure (default 1s)", kDayMs,
       "a day"},
      {"http-max-backoff", &O::http_max_backoff_ms,
       "the longest wait between an http step's attempts (default 5m)", kDayMs, "a day"},
      {"http-give-up-after", &O::http_give_up_after_ms,
       "an http step retries no more once a retry would start this long after its first "
       "failure (default 24h)",
       366 * kDayMs, "366 days"},
  };
  return flags;
}

// "500ms", "30s", "5m", "24h", "7d": one number and one unit.
std::optional<int64_t> ParseFlagDuration(std::string_view text, int64_t max_ms) {
  int64_t amount = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
  std::string_view unit(end, text.data() + text.size() - end);
  if (ec != std::errc() || amount <= 0) return std::nullopt;
  int64_t unit_ms = unit == "ms" ? 1
                    : unit == "s" ? 1'000
                    : unit == "m" ? 60'000
                    : unit == "h" ? 3'600'000
                    : unit == "d" ? kDayMs
                                  : 0;
  if (unit_ms == 0 || amount > max_ms / unit_ms) return std::nullopt;
  return amount * unit_ms;
}

}  // namespace

std::vector<cli::FlagSpec> HttpRetryFlags() {
  std::vector<cli::FlagSpec> flags;
  for (const DurationFlag& flag : Durations()) {
    flags.push_back({flag.name, true, flag.help, "DURATION"});
  }
  flags.push_back({"http-max-attempts", true,
                   "attempts of an http step before it fails for good (default 0: no limit by "
                   "count, only --http-give-up-after)",
                   "N"});
  flags.push_back({"http-retry-jitter", true,
                   "each wait between attempts is shortened by up to this fraction of itself, "
                   "so runs that failed together retry apart (0 to 1, default 0.2)",
                   "F"});
  return flags;
}

Status ApplyHttpRetryFlags(const cli::ParsedArgs& args, engine::EngineOptions& options) {
  for (const DurationFlag& flag : Durations()) {
    std::optional<std::string> text = args.Get(flag.name);
    if (!text) continue;
    std::optional<int64_t> ms = ParseFlagDuration(*text, flag.max_ms);
    if (!ms) {
      return Status::InvalidArgument("--" + std::string(flag.name) +
                                     " must be a duration like 500ms, 30s, 5m, 24h or 7d, above "
                                     "0 and at most " + flag.most);
    }
    options.*flag.field = *ms;
  }
  if (options.http_retry_backoff_ms > options.http_max_backoff_ms) {
    return Status::InvalidArgument("--http-retry-backoff must not be longer than "
                                   "--http-max-backoff");
  }
  if (std::optional<std::string> text = args.Get("http-max-attempts")) {
    uint32_t attempts = 0;
    const char* end = text->data() + text->size();
    auto [ptr, ec] = std::from_chars(text->data(), end, attempts);
    if (ec != std::errc() || ptr != end) {
      return Status::InvalidArgument("--http-max-attempts must be an integer, 0 for no limit");
    }
    options.http_max_attempts = attempts;
  }
  if (std::optional<std::string> text = args.Get("http-retry-jitter")) {
    char* end = nullptr;
    double jitter = std::strtod(text->c_str(), &end);
    if (text->empty() || end != text->c_str() + text->size() || !(jitter >= 0 && jitter <= 1)) {
      return Status::InvalidArgument("--http-retry-jitter must be a fraction from 0 to 1");
    }
    options.http_retry_jitter = jitter;
  }
  return Status::Ok();
}

}  // namespace assent::app
