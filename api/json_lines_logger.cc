#include "api/json_lines_logger.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <string>

#include <boost/json/object.hpp>

#include "api/json_writer.h"

namespace assent::api {
namespace {

namespace json = boost::json;

// UTC with milliseconds, e.g. "2026-11-29T20:15:08.123Z".
std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  size_t length = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + length, sizeof(text) - length, ".%03dZ", static_cast<int>(ms % 1000));
  return text;
}

json::value ToJson(const LogField::Value& value) {
  return std::visit([](auto v) -> json::value {
    if constexpr (std::is_same_v<decltype(v), std::string_view>) {
      return json::string(v);
    } else {
      return json::value(v);
    }
  }, value);
}

}  // namespace

void JsonLinesLogger::Write(LogLevel level, std::string_view event,
                            std::span<const LogField> fields) {
  if (!Enabled(level)) return;
  json::object line{{"ts", Timestamp()}, {"level", ToString(level)}, {"event", event}};
  for (const LogField& field : fields) line.emplace(field.key, ToJson(field.value));
  std::string text = WriteJson(line);
  text.push_back('\n');
  // A short write (a full pipe) finishes the line before another line starts.
  std::lock_guard lock(write_mutex_);
  for (size_t written = 0; written < text.size();) {
    ssize_t n = ::write(fd_, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to log to: dropping the line is all that is left
    written += static_cast<size_t>(n);
  }
}

}  // namespace assent::api
