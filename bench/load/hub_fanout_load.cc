#include "bench/load/hub_fanout_load.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/json/serialize.hpp>

#include "api/stream_hub.h"
#include "bench/load/latency.h"
#include "bench/load/process_stats.h"
#include "tests/api/fake_engine.h"

namespace assent::bench {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr auto kDrainMax = std::chrono::seconds(10);

std::string GroupName(long n, int groups) { return "g" + std::to_string(n % groups); }

// One reviewer: checks each message's group and cursor order as it comes, and notes its delay.
class CheckingSink final : public api::StreamSink {
 public:
  CheckingSink(std::string group, const std::vector<std::atomic<int64_t>>& published_ns)
      : step_(R"("step_id":")" + group + "\""), published_ns_(published_ns) {}

  void Deliver(std::shared_ptr<const std::string> frame) override {
    int64_t now = Clock::now().time_since_epoch().count();
    std::lock_guard lock(mu_);
    std::string_view text = *frame;
    // Each message is {"type":..,"approval":{..,"step_id":..,..},"cursor":N}: one of each per
    // message, step_id before cursor.
    for (size_t at = text.find(R"("step_id":")"); at != std::string_view::npos;
         at = text.find(R"("step_id":")", at + 1)) {
      if (text.compare(at, step_.size(), step_) != 0) ++wrong_;
    }
    constexpr std::string_view kCursor = R"("cursor":)";
    for (size_t at = text.find(kCursor); at != std::string_view::npos;
         at = text.find(kCursor, at + 1)) {
      long cursor = std::strtol(text.data() + at + kCursor.size(), nullptr, 10);
      if (cursor <= last_cursor_) ++out_of_order_;
      last_cursor_ = cursor;
      ++received_;
      if (cursor > 0 && static_cast<size_t>(cursor) < published_ns_.size()) {
        latency_ms_.Add((now - published_ns_[cursor].load()) / 1e6);
      }
    }
  }

  long received() {
    std::lock_guard lock(mu_);
    return received_;
  }
  struct Totals {
    long received = 0, wrong = 0, out_of_order = 0;
  };
  Totals totals(Latency& all) {
    std::lock_guard lock(mu_);
    for (double ms : latency_ms_.samples()) all.Add(ms);
    return {received_, wrong_, out_of_order_};
  }

 private:
  const std::string step_;
  const std::vector<std::atomic<int64_t>>& published_ns_;
  std::mutex mu_;
  long received_ = 0, wrong_ = 0, out_of_order_ = 0, last_cursor_ = 0;
  Latency latency_ms_;
};

}  // namespace

int RunHubFanoutMode(const HubFanoutFlags& flags) {
  long total = std::lround(flags.approvals_per_s * flags.seconds);
  std::vector<std::atomic<int64_t>> published_ns(total + 1);
  api::testing::FakeEngine engine;
  int groups = flags.groups;
  api::StreamHub hub(engine, {.visible = [](const engine::Principal& who,
                                            const engine::ApprovalView& approval) {
                                return who.groups.front() == approval.step_id;
                              }});
  hub.Start();
  std::vector<std::shared_ptr<CheckingSink>> sinks;
  for (int r = 0; r < flags.watchers; ++r) {
    sinks.push_back(std::make_shared<CheckingSink>(GroupName(r, groups), published_ns));
    hub.Join(sinks.back(), {.id = "user" + std::to_string(r), .groups = {GroupName(r, groups)}},
             std::nullopt);
  }

  double cpu_before = CpuSeconds(getpid());
  auto begin = Clock::now();
  auto interval = std::chrono::duration<double>(1.0 / flags.approvals_per_s);
  engine::ApprovalNotification notification{engine::ApprovalNotification::Kind::kRequested,
                                            api::testing::SampleApproval()};
  for (long n = 1; n <= total; ++n) {
    std::this_thread::sleep_until(begin + std::chrono::duration_cast<Clock::duration>(n * interval));
    notification.cursor = n;
    notification.approval.id = "ap-" + std::to_string(n);
    notification.approval.step_id = GroupName(n, groups);
    published_ns[n] = Clock::now().time_since_epoch().count();
    engine.Publish(notification);
  }
  double publish_s = std::chrono::duration<double>(Clock::now() - begin).count();
  // Reviewer r expects the approvals of its group: n % groups == r % groups.
  auto expected_for = [&](int r) { return (total - r % groups) / groups + (r % groups != 0); };
  auto deadline = Clock::now() + kDrainMax;
  for (int r = 0; r < flags.watchers && Clock::now() < deadline; ++r) {
    while (sinks[r]->received() < expected_for(r) && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  double cpu_s = CpuSeconds(getpid()) - cpu_before;
  hub.Stop();

  Latency latency;
  long expected = 0, received = 0, missing = 0, wrong = 0, out_of_order = 0;
  for (int r = 0; r < flags.watchers; ++r) {
    CheckingSink::Totals totals = sinks[r]->totals(latency);
    expected += expected_for(r);
    received += totals.received;
    missing += std::max(0L, expected_for(r) - totals.received);
    wrong += totals.wrong;
    out_of_order += totals.out_of_order;
  }
  std::printf("hub fan-out: %d reviewers in %d groups, %.0f approvals/s for %.0f s (%ld)\n",
              flags.watchers, groups, flags.approvals_per_s, flags.seconds, total);
  std::printf("  published               %.0f approvals/s achieved\n", total / publish_s);
  std::printf("  delivered               %ld of %ld expected; missing %ld, not theirs %ld, "
              "out of order %ld\n",
              received, expected, missing, wrong, out_of_order);
  std::printf("  publish -> reviewer     %s\n", latency.Summary({50, 99}).c_str());
  std::printf("  process CPU             %.0f%% of a core (hub, publisher, checking sinks)\n",
              100 * cpu_s / publish_s);
  json::object result{{"mode", "hub"},
                      {"watchers", flags.watchers},
                      {"groups", groups},
                      {"approvals", total},
                      {"expected", expected},
                      {"received", received},
                      {"missing", missing},
                      {"not_theirs", wrong},
                      {"out_of_order", out_of_order},
                      {"latency_p50_ms", latency.Percentile(50)},
                      {"latency_p99_ms", latency.Percentile(99)},
                      {"cpu_percent", 100 * cpu_s / publish_s}};
  std::printf("RESULT_JSON %s\n", json::serialize(result).c_str());
  return missing == 0 && wrong == 0 && out_of_order == 0 && received == expected ? 0 : 1;
}

}  // namespace assent::bench
