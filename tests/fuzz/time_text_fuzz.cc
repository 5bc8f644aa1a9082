// The texts of durations (an approval's `timeout`, a wait's `for`), points in time (a wait's
// `until`, from run data) and a payee's Retry-After header, from arbitrary bytes.
// Properties: no crash; a duration that parses is written back (FormatDuration) as text that
// parses to the same milliseconds; a time that parses is written back (FormatRfc3339, UTC) as
// text that parses to the same milliseconds; a Retry-After read as a wait is whole seconds
// (now is too), from none to a year.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "engine/internal/duration_text.h"
#include "engine/internal/http_retry.h"
#include "engine/internal/time_text.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace assent::engine;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto ms = ParseDuration(text); ms.ok()) {
    auto again = ParseDuration(FormatDuration(*ms));
    FUZZ_CHECK(again.ok() && *again == *ms);
  }
  if (auto ms = ParseRfc3339(text); ms.ok()) {
    auto again = ParseRfc3339(FormatRfc3339(*ms));
    FUZZ_CHECK(again.ok() && *again == *ms);
  }
  constexpr int64_t kNow = 1'770'000'000'000;
  if (std::optional<int64_t> wait = RetryAfterMs(text, kNow)) {
    FUZZ_CHECK(*wait >= 0 && *wait <= int64_t{365} * 86'400'000 && *wait % 1'000 == 0);
  }
  return 0;
}
