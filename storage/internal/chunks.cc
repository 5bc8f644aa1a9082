#include "storage/internal/chunks.h"

#include <cstdint>

#include "storage/internal/keys.h"

namespace assent::storage::internal {
namespace {

void AppendFramed(std::string& value, const std::string& bytes) {
  uint32_t length = static_cast<uint32_t>(bytes.size());
  for (int shift = 0; shift < 32; shift += 8) value.push_back(static_cast<char>(length >> shift));
  value.append(bytes);
}

}  // namespace

std::vector<Chunk> EncodeChunks(const std::vector<Record>& records) {
  std::vector<Chunk> chunks;
  const Record* previous = nullptr;
  for (const Record& record : records) {
    bool continues = previous != nullptr && previous->run_id == record.run_id &&
                     previous->seq + 1 == record.seq;
    if (!continues) chunks.push_back(Chunk{EventKey(record.run_id, record.seq), {}});
    AppendFramed(chunks.back().value, record.bytes);
    previous = &record;
  }
  return chunks;
}

bool DecodeChunk(std::string_view value, std::vector<std::string_view>* records) {
  records->clear();
  while (!value.empty()) {
    if (value.size() < 4) return false;
    uint32_t length = 0;
    for (int i = 0; i < 4; ++i) {
      length |= static_cast<uint32_t>(static_cast<unsigned char>(value[i])) << (8 * i);
    }
    value.remove_prefix(4);
    if (length == 0 || length > value.size()) return false;
    records->push_back(value.substr(0, length));
    value.remove_prefix(length);
  }
  return !records->empty();
}

}  // namespace assent::storage::internal
