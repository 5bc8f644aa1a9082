// The framing of the files in tests/golden (test-only, not a product format): a sequence of
// entries, each { key length: 4 bytes little-endian, key, value length: 4 bytes little-endian,
// value }. Keys and values are the exact bytes Assent stores.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "storage/event_log.h"

namespace assent::golden {

using Entries = std::vector<std::pair<std::string, std::string>>;

// Throws std::runtime_error when the file is missing or its framing is broken.
Entries ReadEntries(const std::string& path);
void WriteEntries(const std::string& path, const Entries& entries);

// Adds the records of an events file's entries (events-family keys, each value a chunk of one
// run's records) to `batch`, as a log of that version held them. False when one does not decode.
bool AddEventRecords(const Entries& events, storage::AppendBatch& batch);

}  // namespace assent::golden
