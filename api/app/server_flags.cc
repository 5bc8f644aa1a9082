#include "api/app/server_flags.h"

#include <charconv>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace assent::app {

namespace {

// The longest any of the timeouts may be set to: a day.
constexpr uint64_t kMaxTimeoutMs = 24 * 3600 * 1000;

std::optional<uint64_t> ParseCount(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::chrono::milliseconds> ParseDurationFlag(std::string_view text) {
  uint64_t amount = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
  std::string_view unit(end, text.data() + text.size() - end);
  if (ec != std::errc() || amount == 0 || amount > kMaxTimeoutMs) return std::nullopt;
  if (unit == "ms") return std::chrono::milliseconds(amount);
  if (unit == "s" && amount <= kMaxTimeoutMs / 1000) return std::chrono::seconds(amount);
  return std::nullopt;
}

std::vector<cli::FlagSpec> ServerFlags() {
  return {
      {"max-connections", true,
       "connections held open at once, HTTP and WebSocket; one more is answered 503 (default: "
       "the open-files limit minus a quarter of it, at least 256, kept for storage)",
       "N"},
      {"idle-timeout", true, "close a connection that sends no request for this long (default 30s)",
       "DURATION"},
      {"header-timeout", true,
       "close a connection whose request headers take longer than this (default 10s)", "DURATION"},
      {"body-timeout", true,
       "close a connection whose request body takes longer than this (default 30s)", "DURATION"},
      {"websocket-auth-timeout", true,
       "close a WebSocket that has not authenticated within this (default 10s)", "DURATION"},
      {"stream-history", true,
       "stream notifications kept for reviewers who reconnect with a cursor; an older cursor "
       "gets a reset and a fresh snapshot (default 20000)",
       "N"},
      {"stream-max-queued", true,
       "messages waiting for one stream reader before it is disconnected as too slow "
       "(default 4096)",
       "N"},
      {"stream-idle-timeout", true,
       "ping an idle stream halfway through this; drop it when nothing answers by its end "
       "(default 60s)",
       "DURATION"},
      {"allowed-origin", true,
       "a web origin (https://x.example) besides the server's own whose pages may open the "
       "stream; repeatable (requests without Origin, from programs, are always allowed)",
       "ORIGIN"},
      {"dashboard-dir", true,
       "serve the dashboard's files from this folder, read on every request, instead of the "
       "ones built in (for working on the page)",
       "DIR"},
      {"auth-failures", true,
       "failed authentications an address may make per minute before it is answered 429 "
       "(default 10; 0: unlimited)",
       "N"},
  };
}

Status ApplyServerFlags(const cli::ParsedArgs& args, api::ServerOptions& options) {
  if (std::optional<std::string> text = args.Get("max-connections")) {
    std::optional<uint64_t> count = ParseCount(*text);
    if (!count || *count == 0) {
      return Status::InvalidArgument("--max-connections must be a positive integer");
    }
    options.max_connections = *count;
  }
  struct Timeout {
    const char* flag;
    std::chrono::milliseconds* field;
  };
  for (Timeout timeout : {Timeout{"idle-timeout", &options.idle_timeout},
                          Timeout{"header-timeout", &options.header_timeout},
                          Timeout{"body-timeout", &options.body_timeout},
                          Timeout{"websocket-auth-timeout", &options.websocket_auth_timeout},
                          Timeout{"stream-idle-timeout", &options.stream_idle_timeout}}) {
    std::optional<std::string> text = args.Get(timeout.flag);
    if (!text) continue;
    std::optional<std::chrono::milliseconds> value = ParseDurationFlag(*text);
    if (!value) {
      return Status::InvalidArgument(std::string("--") + timeout.flag +
                                     " must be a duration like 500ms or 30s, above 0 and at "
                                     "most a day");
    }
    *timeout.field = *value;
  }
  if (std::optional<std::string> text = args.Get("stream-history")) {
    std::optional<uint64_t> count = ParseCount(*text);
    if (!count) return Status::InvalidArgument("--stream-history must be an integer, 0 or more");
    options.stream_history = *count;
  }
  if (std::optional<std::string> text = args.Get("stream-max-queued")) {
    std::optional<uint64_t> count = ParseCount(*text);
    if (!count || *count == 0) {
      return Status::InvalidArgument("--stream-max-queued must be a positive integer");
    }
    options.stream_max_queued = *count;
  }
  options.allowed_origins = args.GetAll("allowed-origin");
  if (std::optional<std::string> dir = args.Get("dashboard-dir")) {
    if (!std::filesystem::is_regular_file(std::filesystem::path(*dir) / "index.html")) {
      return Status::InvalidArgument("--dashboard-dir " + *dir + " has no index.html");
    }
    options.dashboard_dir = *dir;
  }
  if (std::optional<std::string> text = args.Get("auth-failures")) {
    std::optional<uint64_t> count = ParseCount(*text);
    if (!count) return Status::InvalidArgument("--auth-failures must be an integer, 0 or more");
    options.auth_failure_burst = *count;
    options.auth_failure_window = std::chrono::minutes(1);
  }
  return Status::Ok();
}

}  // namespace assent::app
