// SIGKILL during load: 1,000 runs started by 16 concurrent clients while a WebSocket reviewer
// approves what it is shown; the server is killed mid-way and restarted on the same data dir.
// Nothing acknowledged may be lost, sequences have no gaps, pending approvals are streamed
// again, every run finishes after its approvals, and no completed step completes twice.
#include <atomic>
#include <condition_variable>
#include <map>
#include <set>

#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;

constexpr int kRuns = 1000;
constexpr int kClients = 16;

class CrashRecoveryTest : public E2eTest {
 protected:
  // What the server acknowledged before it died.
  std::mutex mutex_;
  std::condition_variable progress_;
  std::vector<std::string> acked_runs_;
  std::map<std::string, std::string> acked_decisions_;  // approval id -> run id
  std::atomic<int> next_run_{0};
  std::atomic<int> starters_done_{0};

  void StartRuns() {
    ApiClient client(server_->port(), kToken);
    try {
      for (int i = next_run_++; i < kRuns; i = next_run_++) {
        int amount = i % 2 == 0 ? 9000 + i : 100 + i;  // half need an approval
        HttpReply reply = client.Post("/v1/workflows/invoice-payment/runs",
                                      json::object{{"input", {{"amount", amount}, {"vendor", "V"}}}});
        if (reply.status != 201) continue;
        std::lock_guard lock(mutex_);
        acked_runs_.emplace_back(reply.body.at("run_id").as_string());
        progress_.notify_all();
      }
    } catch (const std::exception&) {
      // The server was killed under us: what was not acknowledged may or may not exist.
    }
    ++starters_done_;
    progress_.notify_all();
  }

  void Review() {
    try {
      StreamClient reviewer(server_->port(), kToken, StreamClient::Auth::kHeader);
      std::map<std::string, std::string> asked;  // req -> approval id
      for (int req = 0;;) {
        json::value message = reviewer.Read(std::chrono::seconds(60));
        std::string_view type = message.at("type").as_string();
        if (type == "approval.requested") {
          std::string id(message.at("approval").at("id").as_string());
          std::string tag = "r" + std::to_string(req++);
          asked[tag] = id;
          reviewer.Send({{"type", "decide"}, {"id", id}, {"decision", "approve"}, {"req", tag}});
        } else if (type == "ack") {
          std::string id = asked.at(std::string(message.at("req").as_string()));
          std::lock_guard lock(mutex_);
          acked_decisions_[id] = std::string(message.at("approval").at("run_id").as_string());
          progress_.notify_all();
        }
      }
    } catch (const std::exception&) {
      // Connection lost when the server was killed.
    }
  }

  std::vector<json::value> Events(const std::string& run_id) {
    HttpReply reply = api().Get("/v1/runs/" + run_id + "/events");
    EXPECT_EQ(reply.status, 200u) << run_id << ": " << reply.raw;
    std::vector<json::value> events;
    if (reply.status == 200) {
      for (const json::value& event : reply.body.at("events").as_array()) events.push_back(event);
    }
    return events;
  }
};

TEST_F(CrashRecoveryTest, NothingAcknowledgedIsLostAfterSigkill) {
  std::thread reviewer([this] { Review(); });
  std::vector<std::thread> starters;
  for (int i = 0; i < kClients; ++i) starters.emplace_back([this] { StartRuns(); });

  {
    std::unique_lock lock(mutex_);
    bool mid_load = progress_.wait_for(lock, std::chrono::seconds(120), [this] {
      return (acked_runs_.size() >= kRuns / 3 && acked_decisions_.size() >= 30) ||
             starters_done_ == kClients;
    });
    ASSERT_TRUE(mid_load) << "load made no progress: " << acked_runs_.size() << " runs acked";
  }
  server_->Kill();
  for (auto& starter : starters) starter.join();
  reviewer.join();
  std::vector<std::string> runs;
  std::map<std::string, std::string> decisions;
  {
    std::lock_guard lock(mutex_);
    runs = acked_runs_;
    decisions = acked_decisions_;
  }
  ASSERT_FALSE(runs.empty());
  ASSERT_FALSE(decisions.empty());
  RecordProperty("acked_runs", static_cast<int>(runs.size()));
  RecordProperty("acked_decisions", static_cast<int>(decisions.size()));

  StartServer();

  // Every acknowledged run and decision survived.
  for (const std::string& run_id : runs) {
    ASSERT_EQ(api().Get("/v1/runs/" + run_id).status, 200u) << "acknowledged run lost: " << run_id;
  }
  for (const auto& [approval_id, run_id] : decisions) {
    HttpReply approval = api().Get("/v1/approvals/" + approval_id);
    ASSERT_EQ(approval.status, 200u) << approval.raw;
    EXPECT_EQ(approval.body.at("status"), "approved") << "acknowledged decision lost: " << approval_id;
    EXPECT_EQ(approval.body.at("decisions").as_array().size(), 1u);
  }

  // Pending approvals are streamed again to a reviewer who connects now.
  std::set<std::string> pending;
  HttpReply pending_reply = api().Get("/v1/approvals?status=pending&limit=1000");
  for (const json::value& approval : pending_reply.body.at("approvals").as_array()) {
    pending.emplace(approval.at("id").as_string());
  }
  StreamClient reviewer_after(server_->port(), kToken, StreamClient::Auth::kFirstMessage);
  json::value snapshot = reviewer_after.Read();
  ASSERT_EQ(snapshot.at("type"), "snapshot");
  std::set<std::string> streamed;
  for (const json::value& approval : snapshot.at("pending").as_array()) {
    streamed.emplace(approval.at("id").as_string());
  }
  for (const std::string& id : pending) EXPECT_TRUE(streamed.contains(id)) << id << " not streamed";

  // Approve what is pending; every acknowledged run then finishes.
  for (const std::string& id : streamed) {
    HttpReply decided = api().Post("/v1/approvals/" + id + "/decision", json::object{{"decision", "approve"}});
    EXPECT_EQ(decided.status, 200u) << decided.raw;
  }
  for (const std::string& run_id : runs) AwaitRunStatus(run_id, "completed");

  // The logs are whole: seqs 1..n, each step completed at most once, one decision per approval.
  std::set<std::string> paid;
  for (const ReceivedRequest& request : payee_.requests()) {
    std::string key = request.headers.at("idempotency-key");
    paid.insert(key.substr(0, key.find("/pay/")));
  }
  for (const std::string& run_id : runs) {
    std::vector<json::value> events = Events(run_id);
    std::set<std::string> completed_steps;
    for (size_t i = 0; i < events.size(); ++i) {
      ASSERT_EQ(events[i].at("seq").to_number<uint64_t>(), i + 1) << "gap in " << run_id;
      if (events[i].at("type") == "step.completed") {
        std::string step(events[i].at("step_id").as_string());
        EXPECT_TRUE(completed_steps.insert(step).second) << run_id << " completed " << step << " twice";
      }
    }
    EXPECT_TRUE(paid.contains(run_id)) << run_id << " completed without paying";
  }
}

// The server dies while an http step's request is in the payee's hands: on restart the step
// runs again as attempt 2 with the same Idempotency-Key, and completes exactly once.
TEST(CrashRecoveryInFlightTest, StartedStepRunsAgainWithTheSameIdempotencyKey) {
  std::mutex mutex;
  std::condition_variable changed;
  bool first_arrived = false;
  bool release_first = false;
  HttpTarget payee([&](const ReceivedRequest&, size_t index) {
    std::unique_lock lock(mutex);
    if (index == 0) {
      first_arrived = true;
      changed.notify_all();
      changed.wait_for(lock, std::chrono::seconds(60), [&] { return release_first; });
    }
    return TargetResponse{200, R"({"payment_id": "p-)" + std::to_string(index) + R"("})"};
  });
  TempDir data;
  auto server = ServerProcess::Serve(data.str(), kToken);
  auto api = std::make_unique<ApiClient>(server->port(), kToken);
  ASSERT_EQ(api->Put("/v1/workflows/invoice-payment",
                     json::parse(InvoiceWorkflow(payee.url("/payments")))).status, 200u);
  HttpReply started = api->Post("/v1/workflows/invoice-payment/runs",
                                json::object{{"input", {{"amount", 50}, {"vendor", "V"}}}});
  ASSERT_EQ(started.status, 201u) << started.raw;
  std::string run_id(started.body.at("run_id").as_string());
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(30), [&] { return first_arrived; }))
        << "the pay step never called the payee";
  }

  server->Kill();
  {
    std::lock_guard lock(mutex);
    release_first = true;  // its answer goes to a dead connection
    changed.notify_all();
  }
  server = ServerProcess::Serve(data.str(), kToken);
  api = std::make_unique<ApiClient>(server->port(), kToken);

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  HttpReply run;
  while (std::chrono::steady_clock::now() < deadline) {
    run = api->Get("/v1/runs/" + run_id);
    if (run.status == 200 && run.body.at("status") == "completed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval, not a sync
  }
  ASSERT_EQ(run.body.at("status"), "completed") << run.raw;
  EXPECT_EQ(run.body.at("output").at("payment").at("payment_id"), "p-1");

  auto requests = payee.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].headers.at("idempotency-key"), run_id + "/pay/4");
  EXPECT_EQ(requests[1].headers.at("idempotency-key"), run_id + "/pay/4");

  std::vector<uint64_t> pay_attempts;
  int pay_completions = 0;
  HttpReply events = api->Get("/v1/runs/" + run_id + "/events");
  for (const json::value& event : events.body.at("events").as_array()) {
    if (event.at("type") == "step.started" && event.at("step_id") == "pay") {
      pay_attempts.push_back(event.at("attempt").to_number<uint64_t>());
    }
    if (event.at("type") == "step.completed" && event.at("step_id") == "pay") ++pay_completions;
  }
  EXPECT_EQ(pay_attempts, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(pay_completions, 1);
}

}  // namespace
}  // namespace assent::testing
