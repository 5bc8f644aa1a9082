#include "storage/internal/records.h"

#include <algorithm>

#include "schemas/event_generated.h"
#include "storage/internal/chunks.h"
#include "storage/internal/keys.h"

namespace assent::storage::internal {
namespace {

std::string RecordName(std::string_view run_id, uint64_t seq) {
  return "run " + std::string(run_id) + " seq " + std::to_string(seq);
}

}  // namespace

Status CheckKeyName(std::string_view kind, std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("empty " + std::string(kind));
  if (name.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(std::string(kind) + " contains '\\0'");
  }
  return Status::Ok();
}

Status VerifyRecord(std::string_view run_id, uint64_t seq, const std::string& bytes) {
  auto corrupt = [&](const std::string& what) {
    return Status::Corruption(RecordName(run_id, seq) + ": " + what);
  };
  flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (!fb::VerifyEventBuffer(verifier)) return corrupt("not a valid Event buffer");
  const fb::Event* event = fb::GetEvent(bytes.data());
  if (event->run_id() == nullptr) return corrupt("envelope has no run id");
  if (event->run_id()->string_view() != run_id) {
    return corrupt("envelope run id is '" + event->run_id()->str() + "'");
  }
  if (event->seq() != seq) return corrupt("envelope seq is " + std::to_string(event->seq()));
  // The verifier accepts a union whose value is absent; readers take a body type to mean a body.
  if (event->body_type() != fb::Body::NONE && event->body() == nullptr) {
    return corrupt("envelope has body type " +
                   std::to_string(static_cast<int>(event->body_type())) + " but no body");
  }
  return Status::Ok();
}

Status ValidateBatch(const AppendBatch& batch) {
  for (const Record& record : batch.records) {
    if (Status s = CheckKeyName("run id", record.run_id); !s.ok()) return s;
    if (record.seq == 0) {
      return Status::InvalidArgument(RecordName(record.run_id, 0) + ": seqs start at 1");
    }
    // The same check as on read, reported as the caller's mistake rather than as damage.
    if (Status s = VerifyRecord(record.run_id, record.seq, record.bytes); !s.ok()) {
      return Status::InvalidArgument(s.message());
    }
  }
  for (const IndexOp& op : batch.index_ops) {
    if (IndexName(op.index).empty()) {
      return Status::InvalidArgument("unknown index " + std::to_string(static_cast<int>(op.index)));
    }
  }
  return Status::Ok();
}

RunReader::RunReader(std::string_view run_id, uint64_t from_seq, std::vector<std::string>* records)
    : run_id_(run_id), from_seq_(from_seq), records_(records) {}

Status RunReader::Add(std::string_view key, std::string_view value) {
  std::string_view key_run_id;
  uint64_t seq = 0;
  if (!DecodeEventKey(key, &key_run_id, &seq) || key_run_id != run_id_) {
    return Status::Corruption(RecordName(run_id_, next_seq_) + ": malformed key");
  }
  // Each chunk continues the last one; the first starts at seq 1, or (reading from a later
  // seq) at or before from_seq, since it must hold it.
  uint64_t expected = next_seq_ != 0 ? next_seq_ : from_seq_ == 1 ? 1 : std::min(seq, from_seq_);
  if (seq != expected) {
    return Status::Corruption(RecordName(run_id_, seq) + ": expected seq " +
                              std::to_string(expected) + " (gap)");
  }
  std::vector<std::string_view> chunk;
  if (!DecodeChunk(value, &chunk)) {
    return Status::Corruption(RecordName(run_id_, seq) + ": malformed chunk framing");
  }
  for (std::string_view record : chunk) {
    if (seq >= from_seq_) {
      // Copied before verifying: the verifier needs the alignment a std::string gives, which a
      // slice into a RocksDB block does not promise.
      std::string bytes(record);
      if (Status s = VerifyRecord(run_id_, seq, bytes); !s.ok()) return s;
      records_->push_back(std::move(bytes));
    }
    ++seq;
  }
  next_seq_ = seq;
  return Status::Ok();
}

}  // namespace assent::storage::internal
