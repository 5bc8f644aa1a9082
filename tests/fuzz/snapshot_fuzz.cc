// Run snapshots (engine/internal/run_snapshot.h) from arbitrary bytes: a snapshot that decodes
// round-trips (round_trip.h). Comments its approvals count come from a KeptComments source:
// made up on the first decode, then served as the approval-comments index would.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/internal/run_snapshot.h"
#include "tests/engine/kept_comments.h"
#include "tests/fuzz/round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace assent::engine;
  KeptComments kept;
  CheckRoundTrip(
      std::string_view(reinterpret_cast<const char*>(data), size),
      [&](std::string_view bytes) {
        auto state = DecodeSnapshot(bytes, kept.Source());
        if (state.ok() && KeptComments::RepeatsAnApprovalId(*state)) {
          return assent::Result<RunState>(assent::Status::Corruption("an approval id repeats"));
        }
        if (state.ok()) kept.Keep(*state);
        return state;
      },
      EncodeSnapshot);
  return 0;
}
