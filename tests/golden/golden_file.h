// The framing of the files in tests/golden (test-only, not a product format): a sequence of
// entries, each { key length: 4 bytes little-endian, key, value length: 4 bytes little-endian,
// value }. Keys and values are the exact bytes Assent stores.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace assent::golden {

using Entries = std::vector<std::pair<std::string, std::string>>;

// Throws std::runtime_error when the file is missing or its framing is broken.
Entries ReadEntries(const std::string& path);
void WriteEntries(const std::string& path, const Entries& entries);

}  // namespace assent::golden
