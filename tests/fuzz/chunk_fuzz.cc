// Chunk framing (storage/internal/chunks.h) from arbitrary bytes. Property: a value that
// decodes is exactly the framing of the records it decodes to, so encoding them gives the
// same bytes back; one that does not decode holds no record that could be read.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/internal/chunks.h"
#include "storage/internal/keys.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace assent::storage;
  std::string_view value(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> decoded;
  if (!internal::DecodeChunk(value, &decoded)) return 0;
  FUZZ_CHECK(!decoded.empty());

  // As an append would store them: consecutive seqs of one run make one chunk.
  std::vector<Record> records;
  for (size_t i = 0; i < decoded.size(); ++i) {
    FUZZ_CHECK(!decoded[i].empty());
    records.push_back(Record{"run", i + 1, std::string(decoded[i])});
  }
  std::vector<internal::Chunk> chunks = internal::EncodeChunks(records);
  FUZZ_CHECK(chunks.size() == 1);
  FUZZ_CHECK(chunks[0].key == internal::EventKey("run", 1));
  FUZZ_CHECK(chunks[0].value == value);
  return 0;
}
