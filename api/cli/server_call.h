// What every client command does with the server: one call, printing the failure (the server's
// code and message, or why it could not be reached); printing the answer as JSON (--json) or
// for people; and reading a list answer. Used by the command files of api/cli.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/verb.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "api/cli/client.h"
#include "api/cli/flags.h"

namespace assent::cli {

// One call to the server for `args`; prints the failure and returns nullopt on error.
// `server_wait`: how long the server may hold its answer on purpose (?wait=), added to the
// timeout so that the CLI does not give up on an answer that is coming.
std::optional<ApiResponse> CallServer(
    const ParsedArgs& args, boost::beast::http::verb method, const std::string& target,
    const boost::json::value* body = nullptr,
    const std::vector<std::pair<std::string, std::string>>& headers = {},
    std::chrono::milliseconds server_wait = std::chrono::milliseconds(0));

// Prints `body` as raw JSON with --json, else as `human` renders it. Returns 0.
int Print(const ParsedArgs& args, const boost::json::value& body,
          const std::function<std::string(const boost::json::object&)>& human);

// The array at `key` of a list answer ({"runs": [...]}), empty if missing.
const boost::json::array& ListField(const boost::json::object& body, std::string_view key);

}  // namespace assent::cli
