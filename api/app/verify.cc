// `assent verify`: reads every item stored in a data directory as the engine would and names
// each one it cannot read (engine::VerifyLog). The server skips such items at start and logs
// them; this lists them all. Exit 0: all sound; 1: problems found (each on stdout); 2: usage or
// the data directory cannot be opened.
#include <iostream>

#include "api/app/app_commands.h"
#include "engine/engine.h"
#include "storage/rocks_event_log.h"

namespace assent::app {
namespace {

int Verify(const cli::ParsedArgs& args) {
  std::string data_dir = args.Get("data").value_or("./assent-data");
  // Read-only: takes no lock and writes nothing, so it also reads a directory a server holds
  // (as it stood when opened).
  storage::RocksEventLogOptions options;
  options.mode = storage::OpenMode::kReadOnly;
  auto log = storage::RocksEventLog::Open(data_dir, options);
  if (!log.ok()) {
    std::cerr << "assent verify: cannot open " << data_dir << ": " << log.status().message()
              << "\n";
    return 2;
  }
  auto report = engine::VerifyLog(**log);
  if (!report.ok()) {
    std::cerr << "assent verify: " << data_dir << ": " << report.status().ToString() << "\n";
    return 2;
  }
  for (const std::string& problem : report->problems) std::cout << problem << "\n";
  std::cout << "checked " << report->workflow_versions << " workflow versions, " << report->runs
            << " runs, " << report->approvals << " approvals, " << report->identity_changes
            << " identity changes: "
            << (report->problems.empty() ? "no problems"
                                         : std::to_string(report->problems.size()) + " problems")
            << "\n";
  return report->problems.empty() ? 0 : 1;
}

}  // namespace

cli::Command VerifyCommand() {
  return {"verify",
          "Read every item stored in a data directory and name each one that cannot be read "
          "(read-only: a server may be running on it). Exit 1 when problems are found.",
          "",
          0,
          0,
          {{"data", true, "data directory (default ./assent-data)", "DIR"}},
          Verify};
}

}  // namespace assent::app
