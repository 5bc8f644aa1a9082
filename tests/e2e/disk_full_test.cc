// The real server on a disk that fills (a 96 MiB tmpfs; skipped, saying why, where this process
// cannot mount one: tests/storage/rocks_disk_full_test.cc covers the log through RocksDB's file
// system seam there). With the disk full the server stays up, refuses writes with 503
// `unavailable` saying so, logs it once, and serves reads; once space is freed it takes writes
// again by itself, with everything acknowledged intact. Restarted on the full disk it serves
// reads read-only and never aborts.
#include <sys/wait.h>

#include <sstream>

#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"
#include "tests/support/small_disk.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

// RocksDB retries its recovery every 5 seconds; this is the bound, not the expected wait.
constexpr auto kRecoveryBound = std::chrono::seconds(60);
// How long a line the server has logged may take to reach the test.
constexpr auto kLogBound = std::chrono::seconds(30);

int CountLines(const std::string& output, std::string_view text) {
  std::istringstream in(output);
  int count = 0;
  for (std::string line; std::getline(in, line);) count += line.find(text) != std::string::npos;
  return count;
}

void ExpectRefused(const HttpReply& reply, std::string_view why) {
  EXPECT_EQ(reply.status, 503u) << reply.raw;
  ASSERT_TRUE(reply.body.is_object()) << reply.raw;
  const json::object& error = reply.body.at("error").as_object();
  EXPECT_EQ(error.at("code"), "unavailable") << reply.raw;
  EXPECT_THAT(std::string(error.at("message").as_string()), HasSubstr(why)) << reply.raw;
}

class DiskFullTest : public E2eTest {
 protected:
  void SetUp() override {
    std::string why_not;
    // Once the filler is gone, more free than RocksDB waits for before it resumes (64 MiB).
    disk_ = SmallDisk::Mount(96 << 20, &why_not);
    if (!disk_) GTEST_SKIP() << why_not;
    disk_->Fill(8 << 20);  // too little room for the WAL's preallocation: appends meet ENOSPC
    data_dir_ = disk_->str() + "/data";
    server_ = ServerProcess::Serve(data_dir_, kToken);
    HttpReply applied = api().Put("/v1/workflows/invoice-payment",
                                  json::parse(InvoiceWorkflow(payee_.url("/payments"))));
    ASSERT_EQ(applied.status, 200u) << applied.raw;
  }

  // Starts the server again on the small disk. REQUIRES: the previous one has exited.
  void Restart() {
    client_.reset();
    server_ = ServerProcess::Serve(data_dir_, kToken);
  }

  // A run waiting for a reviewer; its approval id.
  std::string StartWaitingRun(std::string* run_id) {
    *run_id = StartInvoice(9000);
    boost::json::value run = AwaitRunStatus(*run_id, "waiting");
    return std::string(run.at("pending_approvals").at(0).at("id").as_string());
  }

  // Reads that must work whatever the disk: the run, the lists, the reviewers' snapshot.
  void ExpectReadsServed(const std::string& run_id, const std::string& approval_id) {
    EXPECT_EQ(api().Get("/v1/runs/" + run_id).status, 200u);
    EXPECT_EQ(api().Get("/v1/runs/" + run_id + "/events").status, 200u);
    EXPECT_EQ(api().Get("/v1/runs?status=waiting").status, 200u);
    EXPECT_EQ(api().Get("/v1/approvals/" + approval_id).status, 200u);
    EXPECT_EQ(api().Get("/v1/approvals?status=pending").status, 200u);
    EXPECT_EQ(api().Get("/v1/workflows").status, 200u);
    StreamClient reviewer(server_->port(), kToken, StreamClient::Auth::kHeader);
    json::value snapshot = reviewer.Read();
    ASSERT_EQ(snapshot.at("type"), "snapshot");
    bool listed = false;
    for (const json::value& approval : snapshot.at("pending").as_array()) {
      listed = listed || approval.at("id") == approval_id.c_str();
    }
    EXPECT_TRUE(listed) << json::serialize(snapshot);
  }

  // Fills the disk and starts runs until the server refuses one (bounded: the WAL's last page
  // may still take a few). The runs it acknowledged on the way are added to `started`.
  HttpReply FillUntilRefused(std::vector<std::string>* started) {
    HttpReply reply;
    for (int attempt = 0; attempt < 1000; ++attempt) {
      disk_->Fill();
      reply = PostInvoice(100 + attempt);
      if (reply.status != 201) return reply;
      started->push_back(std::string(reply.body.at("run_id").as_string()));
    }
    ADD_FAILURE() << "the server took 1000 starts on a full disk";
    return reply;
  }

  std::unique_ptr<SmallDisk> disk_;
  std::string data_dir_;
};

TEST_F(DiskFullTest, FullDiskRefusesWritesServesReadsAndRecoversWithoutRestart) {
  std::string waiting_run;
  std::string approval_id = StartWaitingRun(&waiting_run);
  std::vector<std::string> acknowledged = {waiting_run};

  HttpReply refused = FillUntilRefused(&acknowledged);
  ExpectRefused(refused, "the disk is full");
  ExpectRefused(api().Post("/v1/approvals/" + approval_id + "/decision",
                           json::parse(R"({"decision": "approve"})")),
                "the disk is full");
  ExpectRefused(api().Post("/v1/approvals/" + approval_id + "/comments",
                           json::parse(R"({"text": "checked"})")),
                "the disk is full");
  ExpectRefused(api().Put("/v1/workflows/another",
                          json::parse(R"({"steps": [{"id": "a", "type": "code", "lua": "return {}"}]})")),
                "the disk is full");
  EXPECT_EQ(api().Get("/healthz").status, 503u);  // says so to whoever watches
  ExpectReadsServed(waiting_run, approval_id);
  EXPECT_EQ(server_->ExitStatus(), std::nullopt) << server_->output();
  // The server's log reaches this process through a pipe another thread reads: the reply can
  // come first.
  server_->WaitForOutput("storage refuses writes", kLogBound);
  EXPECT_EQ(CountLines(server_->output(), "storage refuses writes"), 1) << server_->output();
  EXPECT_EQ(api().Get("/v1/approvals/" + approval_id).body.at("status"), "pending");

  disk_->Free();
  auto deadline = std::chrono::steady_clock::now() + kRecoveryBound;
  HttpReply decided;
  do {
    decided = api().Post("/v1/approvals/" + approval_id + "/decision",
                         json::parse(R"({"decision": "approve"})"));
    if (decided.status == 200) break;
    EXPECT_EQ(decided.status, 503u) << decided.raw;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // poll interval, not a sync
  } while (std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(decided.status, 200u) << "writes were not taken again: " << decided.raw << "\n"
                                  << server_->output();
  EXPECT_EQ(AwaitRunStatus(waiting_run, "completed").at("status"), "completed");
  acknowledged.push_back(StartInvoice(120));
  EXPECT_EQ(api().Get("/healthz").status, 200u);
  server_->WaitForOutput("storage takes writes again", kLogBound);
  EXPECT_EQ(CountLines(server_->output(), "storage takes writes again"), 1) << server_->output();

  // Everything acknowledged survives a restart too, and the refused start left no run.
  EXPECT_EQ(server_->Terminate(), 0) << server_->output();
  Restart();
  HttpReply runs = api().Get("/v1/runs?limit=1000");
  ASSERT_EQ(runs.status, 200u) << runs.raw;
  EXPECT_EQ(runs.body.at("runs").as_array().size(), acknowledged.size()) << runs.raw;
  for (const std::string& run_id : acknowledged) {
    EXPECT_EQ(api().Get("/v1/runs/" + run_id).status, 200u) << run_id;
  }
}

TEST_F(DiskFullTest, RestartOnAFullDiskServesReadsReadOnlyAndNeverAborts) {
  std::string waiting_run;
  std::string approval_id = StartWaitingRun(&waiting_run);
  EXPECT_EQ(server_->Terminate(), 0) << server_->output();
  disk_->Fill();

  Restart();  // throws if the server exits instead
  EXPECT_THAT(server_->output(), HasSubstr("data directory opened read-only"));
  ExpectReadsServed(waiting_run, approval_id);
  ExpectRefused(PostInvoice(100), "read-only");
  ExpectRefused(api().Post("/v1/approvals/" + approval_id + "/decision",
                           json::parse(R"({"decision": "approve"})")),
                "read-only");
  EXPECT_EQ(api().Get("/healthz").status, 503u);

  int status = server_->Terminate();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "status " << status << "\n" << server_->output();

  // With space again, a restart is read-write and the data is all there.
  disk_->Free();
  Restart();
  EXPECT_EQ(api().Get("/v1/runs/" + waiting_run).body.at("status"), "waiting");
  HttpReply decided = api().Post("/v1/approvals/" + approval_id + "/decision",
                                 json::parse(R"({"decision": "approve"})"));
  EXPECT_EQ(decided.status, 200u) << decided.raw;
}

}  // namespace
}  // namespace assent::testing
