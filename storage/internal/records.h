// Record checks shared by every EventLog implementation, so RocksEventLog and MemEventLog accept
// and reject exactly the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/event_log.h"
#include "base/status.h"

namespace assent::storage::internal {

// InvalidArgument unless `name` (a run id or workflow name, as `kind` says) is non-empty and
// free of '\0', the key separator.
Status CheckKeyName(std::string_view kind, std::string_view name);

// Checks that `bytes` is a valid `assent.fb.Event` (FlatBuffers verifier) whose envelope carries
// `run_id` and `seq`. Failure is Corruption("run <id> seq <n>: <what>").
// `bytes` is a std::string so its data is heap- or SSO-aligned, as the verifier requires.
Status VerifyRecord(std::string_view run_id, uint64_t seq, const std::string& bytes);

// Checks a batch before it is queued, so one caller's bug cannot poison a shared group commit:
// valid run ids, seq >= 1, known indexes and records that pass VerifyRecord. Failure is
// InvalidArgument naming the record.
Status ValidateBatch(const AppendBatch& batch);

// Collects one run's records from `from_seq` on, from a key-ordered scan of its events keys
// that starts at the chunk holding `from_seq` (or at the run's first chunk), verifying each
// record and that seqs run on with no gap. Used by ReadRun of every implementation.
class RunReader {
 public:
  // REQUIRES: CheckKeyName("run id", run_id).ok(); from_seq >= 1; `records` outlives the reader.
  RunReader(std::string_view run_id, uint64_t from_seq, std::vector<std::string>* records);

  // Adds the chunk of records stored under `key` (see chunks.h), which starts with
  // EventKeyPrefix(run_id). On Corruption the caller stops and returns it.
  Status Add(std::string_view key, std::string_view value);

 private:
  std::string_view run_id_;
  uint64_t from_seq_;
  uint64_t next_seq_ = 0;  // the seq the next chunk must start at; 0 before the first chunk
  std::vector<std::string>* records_;
};

}  // namespace assent::storage::internal
