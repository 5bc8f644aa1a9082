#include "tests/golden/golden_file.h"

#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string_view>

#include "storage/internal/chunks.h"
#include "storage/internal/keys.h"

namespace assent::golden {
namespace {

void AppendFramed(std::string& out, const std::string& bytes) {
  uint32_t length = static_cast<uint32_t>(bytes.size());
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>(length >> shift));
  out.append(bytes);
}

std::string TakeFramed(std::string_view& in, const std::string& path) {
  if (in.size() < 4) throw std::runtime_error(path + ": truncated length");
  uint32_t length = 0;
  for (int i = 0; i < 4; ++i) length |= uint32_t{static_cast<unsigned char>(in[i])} << (8 * i);
  in.remove_prefix(4);
  if (length > in.size()) throw std::runtime_error(path + ": truncated entry");
  std::string bytes(in.substr(0, length));
  in.remove_prefix(length);
  return bytes;
}

}  // namespace

Entries ReadEntries(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error(path + ": cannot open");
  std::string content((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::string_view in(content);
  Entries entries;
  while (!in.empty()) {
    std::string key = TakeFramed(in, path);
    entries.emplace_back(std::move(key), TakeFramed(in, path));
  }
  return entries;
}

void WriteEntries(const std::string& path, const Entries& entries) {
  std::string out;
  for (const auto& [key, value] : entries) {
    AppendFramed(out, key);
    AppendFramed(out, value);
  }
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << out;
  if (!file) throw std::runtime_error(path + ": cannot write");
}

bool AddEventRecords(const Entries& events, storage::AppendBatch& batch) {
  for (const auto& [key, chunk] : events) {
    std::string_view run_id;
    uint64_t seq = 0;
    std::vector<std::string_view> records;
    if (!storage::internal::DecodeEventKey(key, &run_id, &seq) ||
        !storage::internal::DecodeChunk(chunk, &records)) {
      return false;
    }
    for (std::string_view record : records) {
      batch.records.push_back({std::string(run_id), seq++, std::string(record)});
    }
  }
  return true;
}

}  // namespace assent::golden
