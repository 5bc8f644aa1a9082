#include "engine/internal/run_reader.h"

#include "engine/internal/event_view.h"
#include "schemas/event_generated.h"

namespace assent::engine {
namespace {

Status ReadRecords(storage::EventLog& log, std::string_view run_id,
                   std::vector<std::string>* records) {
  Status status = log.ReadRun(run_id, records);
  if (!status.ok()) return status;
  if (records->empty()) return Status::NotFound("run " + std::string(run_id) + " not found");
  return Status::Ok();
}

}  // namespace

Result<RunState> LoadRunState(storage::EventLog& log, std::string_view run_id) {
  std::vector<std::string> records;
  if (Status status = ReadRecords(log, run_id, &records); !status.ok()) return status;
  RunState state;
  for (const std::string& record : records) Apply(state, *fb::GetEvent(record.data()));
  return state;
}

Result<std::vector<EventView>> LoadEventViews(storage::EventLog& log, std::string_view run_id) {
  std::vector<std::string> records;
  if (Status status = ReadRecords(log, run_id, &records); !status.ok()) return status;
  std::vector<EventView> views;
  views.reserve(records.size());
  for (const std::string& record : records) views.push_back(ToEventView(*fb::GetEvent(record.data())));
  return views;
}

}  // namespace assent::engine
