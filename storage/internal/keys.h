// Key encoding shared by RocksEventLog (column family keys), MemEventLog (map keys, so both
// iterate in the same order) and the storage tests (which write keys directly to corrupt a log).
//
// Formats (persisted: never change them, add new ones instead):
//   events:      run_id + '\0' + seq as 8 bytes big-endian (the first seq of a chunk of records,
//                see chunks.h)
//   definitions: name + '\0' + version as 4 bytes big-endian
// Big-endian integers make byte order equal numeric order, so a prefix scan over run_id + '\0'
// yields a run's records in seq order and a definitions scan yields versions ascending. The
// '\0' separator keeps run "a" from sharing a prefix with run "ab" (run ids and names never
// contain '\0').
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/event_log.h"

namespace assent::storage::internal {

// Column family names. Persisted: never rename one.
inline constexpr char kEventsColumnFamily[] = "events";
inline constexpr char kDefinitionsColumnFamily[] = "definitions";

// The position of `index` in kAllIndexes, or kAllIndexes.size() for a value outside the enum.
// Implementations keep one table or column family per position.
size_t IndexSlot(Index index);

// The column family name of `index` ("idx_runs_by_status", ...), or empty for a value outside
// the enum.
std::string_view IndexName(Index index);

// run_id + '\0': every key of the run starts with it and no other run's key does.
std::string EventKeyPrefix(std::string_view run_id);
std::string EventKey(std::string_view run_id, uint64_t seq);
// Splits an events key; false when it is not one (no separator, wrong length).
bool DecodeEventKey(std::string_view key, std::string_view* run_id, uint64_t* seq);

// The shortest key greater than every key that starts with `prefix`; empty when there is none
// (an empty prefix, or one of only 0xff bytes): then the end of the key space is the bound.
std::string PrefixSuccessor(std::string_view prefix);

std::string DefinitionKey(std::string_view name, uint32_t version);
bool DecodeDefinitionKey(std::string_view key, std::string_view* name, uint32_t* version);

}  // namespace assent::storage::internal
