// Logger: how every layer reports what an operator should see (start, stop, failed runs,
// storage errors, and at debug each request). A component is handed the Logger to use; none
// writes to std::cerr itself, so the server decides the format (JSON lines on stderr, see
// api/json_lines_logger.h) and tests can capture what was logged.
//
// A line is an event, a short fixed phrase ("run failed"), plus key/value fields carrying the
// details. Never put a secret (a token) in a field.
//
// Thread safety: implementations accept Write from any thread; each call is one whole line.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace assent {

enum class LogLevel : uint8_t { kDebug, kInfo, kWarn, kError };

std::string_view ToString(LogLevel level);  // "debug", "info", "warn", "error"
std::optional<LogLevel> ParseLogLevel(std::string_view text);

// One key/value of a line. It refers to its text: build it in the Write call.
struct LogField {
  using Value = std::variant<std::string_view, int64_t, uint64_t, bool>;

  LogField(std::string_view key_in, std::string_view value_in) : key(key_in), value(value_in) {}
  LogField(std::string_view key_in, const std::string& value_in)
      : key(key_in), value(std::string_view(value_in)) {}
  LogField(std::string_view key_in, const char* value_in)
      : key(key_in), value(std::string_view(value_in)) {}
  LogField(std::string_view key_in, bool value_in) : key(key_in), value(value_in) {}
  template <typename Int>
    requires std::is_integral_v<Int> && (!std::is_same_v<Int, bool>)
  LogField(std::string_view key_in, Int value_in)
      : key(key_in),
        value(std::is_signed_v<Int> ? Value(static_cast<int64_t>(value_in))
                                    : Value(static_cast<uint64_t>(value_in))) {}

  std::string_view key;
  Value value;
};

class Logger {
 public:
  virtual ~Logger() = default;

  // Whether a line at `level` would be written: skip building costly fields when not.
  virtual bool Enabled(LogLevel level) const = 0;
  virtual void Write(LogLevel level, std::string_view event,
                     std::span<const LogField> fields) = 0;

  void Debug(std::string_view event, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kDebug, event, fields);
  }
  void Info(std::string_view event, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kInfo, event, fields);
  }
  void Warn(std::string_view event, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kWarn, event, fields);
  }
  void Error(std::string_view event, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kError, event, fields);
  }

 private:
  void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
    if (Enabled(level)) {
      Write(level, event, std::span<const LogField>(fields.begin(), fields.size()));
    }
  }
};

// Writes nothing: for components that were handed no logger (tools, most tests).
Logger& NullLogger();

}  // namespace assent
