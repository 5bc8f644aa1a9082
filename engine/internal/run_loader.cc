#include "engine/internal/run_loader.h"

#include <optional>

#include "engine/internal/comment_store.h"
#include "engine/internal/directory_stream.h"
#include "engine/internal/event_view.h"
#include "engine/internal/run_snapshot.h"
#include "schemas/event_generated.h"

namespace assent::engine {
namespace {

Status NotFound(std::string_view run_id) {
  return Status::NotFound("run " + std::string(run_id) + " not found");
}

Status ReadRecords(storage::EventLog& log, std::string_view run_id,
                   std::vector<std::string>* records) {
  if (IsReservedStreamId(run_id)) return NotFound(run_id);
  Status status = log.ReadRun(run_id, records);
  if (!status.ok()) return status;
  if (records->empty()) return NotFound(run_id);
  return Status::Ok();
}

// The run's snapshot, if it has one that decodes. A snapshot that does not is logged and
// ignored: the events are the truth, and folding them all is only slower.
std::optional<RunState> ReadSnapshot(storage::EventLog& log, Logger& logger,
                                     std::string_view run_id, Status* failure) {
  std::string encoded;
  Status found = log.GetIndex(storage::Index::kRunSnapshots, run_id, &encoded);
  if (found.code() == StatusCode::kNotFound) return std::nullopt;
  if (!found.ok()) {
    *failure = found;
    return std::nullopt;
  }
  // Before snapshots were FlatBuffers (data dirs of the first version) they were JSON objects.
  // Such a snapshot is only a cache, now of no use: the run folds from its events until its
  // next snapshot replaces it. That is expected, not worth a warning.
  if (encoded.starts_with('{')) return std::nullopt;
  auto snapshot = DecodeSnapshot(encoded, StoredComments(log));
  if (!snapshot.ok()) {
    logger.Warn("run snapshot ignored",
                {{"run_id", run_id}, {"error", snapshot.status().ToString()}});
    return std::nullopt;
  }
  return std::move(snapshot).value();
}

}  // namespace

Result<RunState> RunLoader::Load(std::string_view run_id) {
  if (IsReservedStreamId(run_id)) return NotFound(run_id);
  Status failure;
  std::optional<RunState> snapshot = ReadSnapshot(log_, logger_, run_id, &failure);
  if (!failure.ok()) return failure;
  RunState state = snapshot ? std::move(*snapshot) : RunState{};
  std::vector<std::string> records;
  Status read = log_.ReadRun(run_id, state.last_seq + 1, &records);
  if (!read.ok()) return read;
  if (!snapshot && records.empty()) return NotFound(run_id);
  for (const std::string& record : records) Apply(state, *fb::GetEvent(record.data()));
  return state;
}

Result<std::vector<EventView>> RunLoader::Events(std::string_view run_id) {
  std::vector<std::string> records;
  if (Status status = ReadRecords(log_, run_id, &records); !status.ok()) return status;
  std::vector<EventView> views;
  views.reserve(records.size());
  for (const std::string& record : records) views.push_back(ToEventView(*fb::GetEvent(record.data())));
  return views;
}

}  // namespace assent::engine
