// Reading a whole paged list: a page may hold fewer items than its limit and still have a
// `next` (each page examines a bounded number of index entries), so a reader follows `next`
// until there is none.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "tests/e2e/kill_loop/check_failed.h"
#include "tests/e2e/kill_loop/json_fields.h"
#include "tests/support/api_client.h"

namespace assent::testing::kill_loop {

// Every item under `key` of GET `target` (which has a query already) and its following pages.
// Throws CheckFailed on an answer other than 200.
inline std::vector<boost::json::value> ListEvery(ApiClient& api, const std::string& target,
                                                 std::string_view key) {
  std::vector<boost::json::value> items;
  std::string page = target;
  for (;;) {
    HttpReply reply = api.Get(page);
    if (reply.status != 200) {
      throw CheckFailed("GET " + page + " answered " + std::to_string(reply.status) + ": " +
                        reply.raw.substr(0, 300));
    }
    for (const boost::json::value& item : ArrayAt(reply.body, key)) items.push_back(item);
    std::string next = StringAt(reply.body, "next");
    if (next.empty()) return items;
    page = target + "&after=" + next;
  }
}

}  // namespace assent::testing::kill_loop
