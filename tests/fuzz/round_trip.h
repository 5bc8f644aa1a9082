// The property of a stored codec under fuzzing: bytes that decode re-encode to bytes that
// decode to an equal value, and encoding is stable (the second encoding is the first).
#pragma once

#include <string>
#include <string_view>

#include "tests/fuzz/fuzz_check.h"

// `decode`: bytes -> Result<T>; `encode`: T -> std::string.
template <typename Decode, typename Encode>
void CheckRoundTrip(std::string_view bytes, Decode decode, Encode encode) {
  auto value = decode(bytes);
  if (!value.ok()) return;
  std::string encoded = encode(*value);
  auto again = decode(encoded);
  FUZZ_CHECK_OK(again);
  FUZZ_CHECK(*again == *value);
  FUZZ_CHECK(encode(*again) == encoded);
}
