// JsonLinesLogger: the server's Logger. Each line is one JSON object on its own line,
//   {"ts":"2026-11-29T20:15:08.123Z","level":"info","event":"server started","listen":"..."}
// Lines are written whole, one at a time, so lines from many threads never interleave. A field
// named like the envelope (ts, level, event) does not replace it. Lines below the minimum
// level are dropped before anything is formatted.
//
// Thread safety: Write may be called from any thread.
#pragma once

#include <mutex>

#include "base/logger.h"

namespace assent::api {

class JsonLinesLogger final : public Logger {
 public:
  // Writes to file descriptor `fd` (stderr for the server); the descriptor stays the caller's.
  JsonLinesLogger(int fd, LogLevel min_level) : fd_(fd), min_level_(min_level) {}

  bool Enabled(LogLevel level) const override { return level >= min_level_; }
  void Write(LogLevel level, std::string_view event, std::span<const LogField> fields) override;

 private:
  const int fd_;
  const LogLevel min_level_;
  std::mutex write_mutex_;  // one line at a time
};

}  // namespace assent::api
