// Renders the server's JSON for people: aligned tables, one-line approvals, a run's timeline.
// Pure functions over the API's JSON shapes (see api/json_views.h); thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace assent::cli {

// Columns padded to their widest cell, one header line, one line per row.
std::string FormatTable(const std::vector<std::string>& headers,
                        const std::vector<std::vector<std::string>>& rows);

// A field as text: strings bare, other JSON serialized, "" when absent.
std::string FieldText(const boost::json::object& object, std::string_view key);

// {"runs": [...]} as a table.
std::string FormatRuns(const boost::json::array& runs);
// {"approvals": [...]} as a table.
std::string FormatApprovals(const boost::json::array& approvals);
// "<id>  <status>  run <run_id> step <step_id>  <message>" plus decisions and comments.
std::string FormatApprovalLine(const boost::json::object& approval);
// "<at>  #<seq>  <type>  key=value ..." for one event.
std::string FormatEventLine(const boost::json::object& event);
// "status: <status>", then the output or error, or the approvals it is waiting on.
std::string FormatRunOutcome(const boost::json::object& run);
// The run's header, its events one per line, then its outcome (FormatRunOutcome).
std::string FormatTimeline(const boost::json::object& run, const boost::json::array& events);

}  // namespace assent::cli
