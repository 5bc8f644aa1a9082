#include "engine/internal/audit_backfill.h"

#include <future>
#include <string>
#include <vector>

#include "engine/internal/audit_index.h"
#include "engine/internal/directory_stream.h"
#include "engine/internal/index_keys.h"
#include "schemas/event_generated.h"

namespace assent::engine {
namespace {

// Entries per synced batch: bounded memory, few syncs.
constexpr size_t kOpsPerBatch = 4096;

Status AppendAndWait(storage::EventLog& log, storage::AppendBatch batch) {
  std::promise<Status> promise;
  std::future<Status> written = promise.get_future();
  log.Append(std::move(batch), [&promise](Status status, uint64_t) { promise.set_value(status); });
  return written.get();
}

// A write refused for now leaves the backfill to the next open; the server still serves.
Status Refused(const Status& why, Logger& logger) {
  if (why.code() != StatusCode::kUnavailable) return why;
  logger.Error("audit index not built: storage refuses writes; it is built on the next start",
               {{"error", why.message()}});
  return Status::Ok();
}

}  // namespace

Status BackfillAudit(storage::EventLog& log, Logger& logger) {
  std::string marker;
  Status found = log.GetIndex(storage::Index::kAudit, kAuditBackfilledKey, &marker);
  if (found.ok()) return Status::Ok();
  if (found.code() != StatusCode::kNotFound) return found;

  std::vector<std::string> run_ids;
  Status listed = log.ScanIndex(storage::Index::kRunsByStatus, "",
                                [&](std::string_view key, std::string_view) {
                                  if (auto entry = DecodeRunsByStatusKey(key)) {
                                    run_ids.emplace_back(entry->id);
                                  }
                                  return true;
                                });
  if (!listed.ok()) return listed;
  run_ids.emplace_back(kDirectoryStreamId);  // changes to users and tokens

  storage::AppendBatch batch;
  auto flush = [&]() -> Status {
    Status written = AppendAndWait(log, std::move(batch));
    batch = {};
    return written;
  };
  size_t entries = 0;
  for (const std::string& run_id : run_ids) {
    std::vector<std::string> records;
    if (Status read = log.ReadRun(run_id, &records); !read.ok()) {
      logger.Error("audit backfill: run skipped", {{"run_id", run_id}, {"error", read.ToString()}});
      continue;
    }
    std::string workflow;
    for (const std::string& record : records) {
      const fb::Event& event = *fb::GetEvent(record.data());
      if (const auto* started = event.body_as_RunStarted(); started && started->workflow()) {
        workflow = started->workflow()->str();
      }
      for (storage::IndexOp& op : AuditIndexOps(event, workflow)) {
        batch.index_ops.push_back(std::move(op));
        ++entries;
      }
    }
    if (batch.index_ops.size() >= kOpsPerBatch) {
      if (Status written = flush(); !written.ok()) return Refused(written, logger);
    }
  }
  batch.index_ops.push_back({storage::Index::kAudit, std::string(kAuditBackfilledKey), ""});
  if (Status written = flush(); !written.ok()) return Refused(written, logger);
  if (entries > 0) {
    logger.Info("audit index built from the log",
                {{"runs", run_ids.size()}, {"entries", entries}});
  }
  return Status::Ok();
}

}  // namespace assent::engine
