// A run's stored events read back from arbitrary bytes: what ReadRun does with the events keys
// and chunk values of one run (storage::internal::RunReader: key decoding, seq continuity,
// chunk framing, the record verifier), then what the engine does with the records it returns
// (engine::Apply, the fold, and ToEventView, the API's events).
//
// Input: entries { events key (run id, '\0', 8-byte seq: self-delimiting), value length as 4
// bytes little-endian, value }, read as one run's scan from seq 1; the run is the first key's.
// Properties: the reader returns records seq 1, 2, ... with no gap, each of the run; the fold
// of them ends at the last seq; the folded state's snapshot decodes to an equal state.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/internal/event_view.h"
#include "engine/internal/run_snapshot.h"
#include "engine/internal/run_state.h"
#include "schemas/event_generated.h"
#include "storage/internal/keys.h"
#include "storage/internal/records.h"
#include "tests/engine/kept_comments.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace assent;

struct Entry {
  std::string_view key;
  std::string_view value;
};

// The entries the input frames; stops at the first that is cut short.
std::vector<Entry> Entries(std::string_view input) {
  std::vector<Entry> entries;
  while (true) {
    size_t separator = input.find('\0');
    if (separator == std::string_view::npos || input.size() - separator - 1 < 8 + 4) break;
    std::string_view key = input.substr(0, separator + 1 + 8);
    input.remove_prefix(key.size());
    uint32_t length = 0;
    for (int i = 0; i < 4; ++i) length |= uint32_t{static_cast<uint8_t>(input[i])} << (8 * i);
    input.remove_prefix(4);
    if (length > input.size()) break;
    entries.push_back({key, input.substr(0, length)});
    input.remove_prefix(length);
  }
  return entries;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<Entry> entries = Entries(std::string_view(reinterpret_cast<const char*>(data), size));
  if (entries.empty()) return 0;
  std::string_view run_id;
  uint64_t first_seq = 0;
  FUZZ_CHECK(storage::internal::DecodeEventKey(entries[0].key, &run_id, &first_seq));
  if (!storage::internal::CheckKeyName("run id", run_id).ok()) return 0;

  std::vector<std::string> records;
  storage::internal::RunReader reader(run_id, 1, &records);
  for (const Entry& entry : entries) {
    if (!reader.Add(entry.key, entry.value).ok()) return 0;
  }

  engine::RunState state;
  for (size_t i = 0; i < records.size(); ++i) {
    const fb::Event* event = fb::GetEvent(records[i].data());
    FUZZ_CHECK(event->seq() == i + 1);
    FUZZ_CHECK(event->run_id()->string_view() == run_id);
    engine::Apply(state, *event);
    engine::EventView view = engine::ToEventView(*event);
    FUZZ_CHECK(view.seq == event->seq());
  }
  FUZZ_CHECK(state.last_seq == records.size());

  if (engine::KeptComments::RepeatsAnApprovalId(state)) return 0;
  engine::KeptComments kept;  // what the approval-comments index would hold
  kept.Keep(state);
  auto decoded = engine::DecodeSnapshot(engine::EncodeSnapshot(state), kept.Source());
  FUZZ_CHECK_OK(decoded);
  FUZZ_CHECK(*decoded == state);
  return 0;
}
