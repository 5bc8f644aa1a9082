// Who watches in `assent-bench fanout`, and what each watcher may see.
//
// Without groups every watcher authenticates with the admin's token and sees every approval of
// W1. With G groups the admin applies G copies of W1 (workflow k is "w1-g<k>", editable by the
// group "g<k>" and by no one else but admins) and adds one user per watcher (watcher r is in
// group "g<r % G>"), each with the token the server issues with it: watcher r may then see the
// approvals of workflow r % G and no others, which the server must enforce on every stream.
#pragma once

#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

namespace assent::bench {

struct FanoutAudience {
  std::vector<std::string> workflows;  // the load spreads its runs over these
  std::vector<std::string> bearers;    // watcher i's Authorization header

  // Whether watcher `watcher` may see the approvals of workflows[workflow].
  bool MaySee(int watcher, int workflow) const {
    return watcher % static_cast<int>(workflows.size()) == workflow;
  }
};

// Every watcher is the admin; the one workflow is W1, applied by the load itself.
FanoutAudience EveryoneAsAdmin(const std::string& admin_bearer, int watchers);

// Applies the G workflows and adds the users, `concurrency` requests at a time (each user is a
// synced commit: one at a time, 1,000 of them would take seconds). Throws std::runtime_error
// when the server refuses any of it.
FanoutAudience InGroups(const boost::asio::ip::tcp::endpoint& endpoint,
                        const std::string& admin_bearer, int watchers, int groups,
                        int concurrency);

}  // namespace assent::bench
