#include "api/protocol/token_lifetime.h"

#include <charconv>
#include <cstdint>
#include <string>

namespace assent::api {

Result<std::chrono::seconds> ParseTokenLifetime(std::string_view text) {
  uint64_t amount = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
  std::string_view unit(end, text.data() + text.size() - end);
  uint64_t unit_seconds = unit == "s"   ? 1
                          : unit == "m" ? 60
                          : unit == "h" ? 3600
                          : unit == "d" ? 86400
                                        : 0;
  uint64_t max = static_cast<uint64_t>(kMaxTokenLifetime.count());
  // Compared before multiplying, so a huge number cannot wrap around into range.
  if (ec != std::errc() || end == text.data() || unit_seconds == 0 || amount == 0 ||
      amount > max / unit_seconds) {
    return Status::InvalidArgument(
        "a token lifetime must be a duration like 90d, 12h, 30m or 45s, above 0 and at most " +
        std::to_string(kMaxTokenLifetime.count() / 86400) + "d");
  }
  return std::chrono::seconds(amount * unit_seconds);
}

}  // namespace assent::api
