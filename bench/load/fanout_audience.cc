#include "bench/load/fanout_audience.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "bench/load/sync_client.h"
#include "bench/load/w1.h"

namespace assent::bench {

FanoutAudience EveryoneAsAdmin(const std::string& admin_bearer, int watchers) {
  return {{kW1Name}, std::vector<std::string>(watchers, admin_bearer)};
}

FanoutAudience InGroups(const boost::asio::ip::tcp::endpoint& endpoint,
                        const std::string& admin_bearer, int watchers, int groups,
                        int concurrency) {
  FanoutAudience audience;
  boost::asio::io_context io;
  for (int k = 0; k < groups; ++k) {
    std::string group = "g" + std::to_string(k);
    audience.workflows.push_back(std::string(kW1Name) + "-" + group);
    ApplyW1(io, endpoint, admin_bearer, audience.workflows.back(), group);
  }

  // Blocking calls on a few threads: setup, not the measured path, so the simplest client.
  audience.bearers.resize(watchers);
  std::atomic<int> next{0};
  std::mutex failure_mutex;
  std::exception_ptr failure;
  auto add_users = [&] {
    boost::asio::io_context thread_io;
    for (int r = next++; r < watchers; r = next++) {
      try {
        audience.bearers[r] = AddUser(thread_io, endpoint, admin_bearer,
                                      "watcher-" + std::to_string(r),
                                      {"g" + std::to_string(r % groups)});
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = watchers;  // the others stop too
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < std::min(concurrency, watchers); ++t) threads.emplace_back(add_users);
  for (std::thread& thread : threads) thread.join();
  if (failure) std::rethrow_exception(failure);
  return audience;
}

}  // namespace assent::bench
