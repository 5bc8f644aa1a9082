// Run snapshots (engine/internal/run_snapshot.h) from arbitrary bytes: a snapshot that decodes
// round-trips (round_trip.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/internal/run_snapshot.h"
#include "tests/fuzz/round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckRoundTrip(std::string_view(reinterpret_cast<const char*>(data), size),
                 assent::engine::DecodeSnapshot, assent::engine::EncodeSnapshot);
  return 0;
}
