#include "api/app/limit_flags.h"

#include <charconv>
#include <string>

#include "api/response.h"

namespace assent::app {
namespace {

struct LimitFlag {
  const char* name;
  size_t engine::EngineOptions::*field;
  const char* help;
  bool carried_by_requests;  // bounded by what a request body may hold
};

const std::vector<LimitFlag>& Limits() {
  using O = engine::EngineOptions;
  static const std::vector<LimitFlag> limits = {
      {"max-input-bytes", &O::max_input_bytes, "a run's input, serialized JSON", true},
      {"max-step-output-bytes", &O::max_step_output_bytes,
       "a step's output (serialized JSON) and an http step's response body", false},
      {"max-approval-message-bytes", &O::max_approval_message_bytes,
       "an approval's rendered message", false},
      {"max-approval-show-bytes", &O::max_approval_show_bytes,
       "an approval's rendered show, serialized JSON", false},
      {"max-comment-bytes", &O::max_comment_bytes, "a comment, and a decision's comment", true},
      {"max-comments-per-approval", &O::max_comments_per_approval, "comments on one approval",
       false},
      {"max-cached-waiting-runs", &O::max_cached_waiting_runs,
       "idle waiting runs kept in memory, all shards together", false},
      {"max-cached-waiting-bytes", &O::max_cached_waiting_bytes,
       "memory for idle waiting runs, estimated, all shards together", false},
      {"http-max-connections-per-host", &O::http_max_connections_per_host,
       "connections open at once to one origin (scheme, host, port) for http steps and webhook "
       "deliveries, kept open for reuse; more calls wait in order (a step's max_connections "
       "overrides it)",
       false},
      {"http-max-queued-per-host", &O::http_max_queued_per_host,
       "calls waiting for a connection to one origin; beyond it a call fails and is retried",
       false},
  };
  return limits;
}

}  // namespace

std::vector<cli::FlagSpec> LimitFlags() {
  engine::EngineOptions defaults;
  std::vector<cli::FlagSpec> flags;
  for (const LimitFlag& limit : Limits()) {
    flags.push_back({limit.name, true,
                     std::string(limit.help) + " (default " +
                         std::to_string(defaults.*limit.field) + ")",
                     "N"});
  }
  return flags;
}

Status ApplyLimitFlags(const cli::ParsedArgs& args, engine::EngineOptions& options) {
  for (const LimitFlag& limit : Limits()) {
    std::optional<std::string> text = args.Get(limit.name);
    if (!text) continue;
    size_t value = 0;
    const char* end = text->data() + text->size();
    auto [ptr, ec] = std::from_chars(text->data(), end, value);
    if (ec != std::errc() || ptr != end || value == 0) {
      return Status::InvalidArgument("--" + std::string(limit.name) +
                                     " must be a positive integer");
    }
    if (limit.carried_by_requests && value > api::kMaxRequestContentBytes) {
      return Status::InvalidArgument("--" + std::string(limit.name) + " can be at most " +
                                     std::to_string(api::kMaxRequestContentBytes) +
                                     ": a request body holds no more");
    }
    options.*limit.field = value;
  }
  return Status::Ok();
}

}  // namespace assent::app
