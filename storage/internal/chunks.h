// Chunks: how records are laid out in the events key space.
//
// The consecutive records of one run that one append carries (seq n, n+1, ... n+k) are stored
// as ONE value under EventKey(run_id, n). A W1 run's 4 to 6 events per commit thus cost one
// memtable insert and one key on read instead of one each.
//
// Value format (persisted: never change it, add a new one instead):
//   repeated { record length: 4 bytes little-endian, record bytes }
// Each record is a whole `assent.fb.Event` buffer, verified on read like any other.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/event_log.h"

namespace assent::storage::internal {

struct Chunk {
  std::string key;    // EventKey(run_id, first seq)
  std::string value;  // the records, framed as above
};

// Groups `records` in order: a new chunk starts at each change of run or break in seqs.
std::vector<Chunk> EncodeChunks(const std::vector<Record>& records);

// Splits a chunk value into its records; false when the framing is broken.
bool DecodeChunk(std::string_view value, std::vector<std::string_view>* records);

}  // namespace assent::storage::internal
