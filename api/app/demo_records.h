// The customer records `assent demo-service` answers GET /records with, for the data-deletion
// example: made up, the same every day relative to that day, so the example (and its test)
// always finds the same records past its 90-day cut. Pure; thread-safe.
#pragma once

#include <chrono>

#include <boost/json/object.hpp>

namespace assent::app {

inline constexpr int kDemoRecordCount = 40;

// {"as_of": "YYYY-MM-DD", "records": [{"id", "name", "email", "created"}, ...]}: kDemoRecordCount
// records, newest first, record i created (RFC 3339, UTC) 7 * i + 3 days before `today`.
boost::json::object DemoRecords(std::chrono::sys_days today);

}  // namespace assent::app
