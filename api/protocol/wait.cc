#include "api/protocol/wait.h"

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>

namespace assent::api {

Result<std::chrono::milliseconds> ParseWait(std::string_view text) {
  uint64_t amount = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
  std::string_view unit(end, text.data() + text.size() - end);
  std::optional<std::chrono::milliseconds> wait;
  if (ec == std::errc() && amount <= static_cast<uint64_t>(kMaxWait.count())) {
    if (unit == "ms") wait = std::chrono::milliseconds(amount);
    if (unit == "s") wait = std::chrono::seconds(amount);
  }
  if (!wait || *wait > kMaxWait || wait->count() == 0) {
    return Status::InvalidArgument(
        "wait must be a duration like 500ms or 30s, above 0 and at most " +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kMaxWait).count()) + "s");
  }
  return *wait;
}

}  // namespace assent::api
