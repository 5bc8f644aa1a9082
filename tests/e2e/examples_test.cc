// The example workflows (examples/*.json) on a real server, as scripts/run.sh loads them: each
// applies, runs with its sample input (examples/inputs/<name>.json) against the real demo
// service up to its approval, shows the fields the dashboard renders, is in the inbox of the
// reviewer run.sh creates, and finishes once she approves.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "tests/support/api_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

constexpr const char* kToken = "examples-e2e-token";
// The examples call their demo service here (scripts/run.sh starts it there); the test points
// them at its own, on a port the OS picked.
constexpr std::string_view kExamplesDemoUrl = "http://127.0.0.1:9999";
// The reviewer scripts/run.sh creates: in every group the examples name as editors.
constexpr const char* kReviewerGroups[] = {"finance", "privacy", "support", "ops"};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string Replaced(std::string text, std::string_view from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

bool IsMultiLineText(const json::value& value) {
  return value.is_string() && value.as_string().find('\n') != json::string::npos;
}

class ExamplesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::Serve(data_.str(), kToken);
    demo_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"demo-service", "--listen", "127.0.0.1:0"});
    admin_ = std::make_unique<ApiClient>(server_->port(), kToken);
    json::array groups;
    for (const char* group : kReviewerGroups) groups.push_back(json::string(group));
    HttpReply added = admin_->Post("/v1/users", json::object{{"id", "alice"}, {"groups", groups}});
    ASSERT_EQ(added.status, 201u) << added.raw;
    alice_ = std::make_unique<ApiClient>(
        server_->port(), std::string(added.body.at("token").at("token").as_string()));
  }

  // examples/*.json, sorted.
  static std::vector<fs::path> ExampleFiles() {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(ASSENT_EXAMPLES_DIR)) {
      if (entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  // Applies examples/<file> pointed at the test's demo service, starts it with its sample input
  // and returns its approval once the run asks for it (empty, with a failure, otherwise).
  json::value RunToApproval(const fs::path& file) {
    std::string name = file.stem().string();
    std::string demo_url = "http://127.0.0.1:" + std::to_string(demo_->port());
    HttpReply applied = admin_->Put(
        "/v1/workflows/" + name, json::parse(Replaced(ReadFile(file), kExamplesDemoUrl, demo_url)));
    EXPECT_EQ(applied.status, 200u) << name << ": " << applied.raw;
    fs::path input_file = file.parent_path() / "inputs" / file.filename();
    if (!fs::exists(input_file)) {
      ADD_FAILURE() << name << " has no sample input at " << input_file;
      return {};
    }
    HttpReply started = admin_->Post("/v1/workflows/" + name + "/runs",
                                     json::object{{"input", json::parse(ReadFile(input_file))}});
    EXPECT_EQ(started.status, 201u) << name << ": " << started.raw;
    if (started.status != 201) return {};
    std::string run_id(started.body.at("run_id").as_string());

    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    HttpReply run;
    while (std::chrono::steady_clock::now() < deadline) {
      run = admin_->Get("/v1/runs/" + run_id);
      if (run.status != 200) break;
      const json::value& status = run.body.at("status");
      if (status == "completed" || status == "failed" || status == "cancelled") break;
      const json::array& pending = run.body.at("pending_approvals").as_array();
      if (!pending.empty()) {
        HttpReply approval =
            admin_->Get("/v1/approvals/" + std::string(pending[0].at("id").as_string()));
        EXPECT_EQ(approval.status, 200u) << approval.raw;
        return approval.body;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval, not a sync
    }
    ADD_FAILURE() << name << ": run " << run_id << " did not ask for approval; last: " << run.raw;
    return {};
  }

  // Polls the run (bounded) until it is no longer running; its final state.
  json::value AwaitFinished(const std::string& run_id) {
    HttpReply run = admin_->Get("/v1/runs/" + run_id + "?wait=30s");
    EXPECT_EQ(run.status, 200u) << run.raw;
    return run.body;
  }

  TempDir data_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<ServerProcess> demo_;
  std::unique_ptr<ApiClient> admin_;
  std::unique_ptr<ApiClient> alice_;
};

// What the dashboard renders for each of the product brief's four flows.
void ExpectShowsWhatTheDashboardRenders(const std::string& workflow, const json::object& show) {
  SCOPED_TRACE(workflow + " shows " + json::serialize(show));
  if (workflow == "invoice-payment") {
    EXPECT_TRUE(show.at("amount").is_number());
    EXPECT_TRUE(show.at("vendor").is_string());
  } else if (workflow == "data-deletion") {
    // The demo service's 40 records, created 3, 10, ... 276 days ago: 27 are past 90 days.
    EXPECT_EQ(show.at("record_count"), 27);
    const json::array& preview = show.at("preview").as_array();
    ASSERT_EQ(preview.size(), 10u);
    EXPECT_EQ(preview[0].at("id"), "cus_014");  // the newest past the cut: 94 days old
    for (const json::value& record : preview) {
      for (const char* field : {"id", "name", "email", "created"}) {
        EXPECT_TRUE(record.at(field).is_string()) << field;
      }
    }
    // The gate on the delete call shows the exact request beside the preview.
    EXPECT_EQ(show.at("method"), "POST");
    EXPECT_TRUE(show.at("url").as_string().ends_with("/deletions"));
    EXPECT_EQ(show.at("body").at("ids").as_array().size(), 27u);
  } else if (workflow == "customer-email") {
    EXPECT_TRUE(show.at("to").is_string());
    EXPECT_TRUE(show.at("subject").is_string());
    EXPECT_TRUE(IsMultiLineText(show.at("body")));
  } else if (workflow == "production-change") {
    for (const char* field : {"service", "environment", "risk"}) {
      EXPECT_TRUE(show.at(field).is_string()) << field;
    }
    const json::value& summary = show.at("summary");
    EXPECT_TRUE(IsMultiLineText(summary));
    EXPECT_NE(summary.as_string().find("\n+ "), json::string::npos) << "diff-like lines";
    const json::object& rollout = show.at("rollout").as_object();
    EXPECT_TRUE(rollout.at("strategy").is_string());
    EXPECT_FALSE(rollout.at("steps").as_array().empty());
  } else {
    ADD_FAILURE() << "an example the test does not know: say what its approval must show";
  }
}

TEST_F(ExamplesTest, EachRunsToItsApprovalShowingItsContextAndFinishesOnceApproved) {
  std::vector<std::string> names;
  for (const fs::path& file : ExampleFiles()) {
    std::string name = file.stem().string();
    names.push_back(name);
    SCOPED_TRACE(name);
    json::value approval = RunToApproval(file);
    if (!approval.is_object()) continue;
    EXPECT_FALSE(approval.at("message").as_string().empty());
    ExpectShowsWhatTheDashboardRenders(name, approval.at("show").as_object());

    std::string id(approval.at("id").as_string());
    HttpReply inbox = alice_->Get("/v1/approvals?assignee=me&workflow=" + name);
    ASSERT_EQ(inbox.status, 200u) << inbox.raw;
    ASSERT_EQ(inbox.body.at("approvals").as_array().size(), 1u) << "alice may decide it";
    HttpReply decided = alice_->Post("/v1/approvals/" + id + "/decision",
                                     json::object{{"decision", "approve"}, {"comment", "ok"}});
    ASSERT_EQ(decided.status, 200u) << decided.raw;
    if (approval.as_object().contains("quorum")) {
      // alice's decision was one vote (the production change wants two): the admin's counts too.
      EXPECT_EQ(decided.body.at("status"), "pending") << decided.raw;
      HttpReply second = admin_->Post("/v1/approvals/" + id + "/decision",
                                      json::object{{"decision", "approve"}});
      ASSERT_EQ(second.status, 200u) << second.raw;
    }
    json::value run = AwaitFinished(std::string(approval.at("run_id").as_string()));
    EXPECT_EQ(run.at("status"), "completed") << json::serialize(run);
  }
  std::vector<std::string> brief = {"customer-email", "data-deletion", "invoice-payment",
                                    "production-change"};
  EXPECT_TRUE(std::includes(names.begin(), names.end(), brief.begin(), brief.end()))
      << "examples/ holds the product brief's four flows";
}

TEST_F(ExamplesTest, ACustomerEmailRejectedWithFeedbackIsDraftedAgainThenSent) {
  fs::path file = fs::path(ASSENT_EXAMPLES_DIR) / "customer-email.json";
  json::value first = RunToApproval(file);
  ASSERT_TRUE(first.is_object());
  EXPECT_EQ(first.at("show").at("draft"), 1);
  std::string run_id(first.at("run_id").as_string());
  HttpReply rejected =
      alice_->Post("/v1/approvals/" + std::string(first.at("id").as_string()) + "/decision",
                   json::object{{"decision", "reject"}, {"comment", "Apologise first."}});
  ASSERT_EQ(rejected.status, 200u) << rejected.raw;

  // The feedback went back to the draft step, which asks again with a second draft.
  HttpReply run = admin_->Get("/v1/runs/" + run_id);
  ASSERT_EQ(run.status, 200u) << run.raw;
  const json::array& pending = run.body.at("pending_approvals").as_array();
  ASSERT_EQ(pending.size(), 1u) << run.raw;
  const json::value& second = pending[0];
  EXPECT_NE(second.at("id"), first.at("id"));
  EXPECT_EQ(second.at("show").at("draft"), 2);
  EXPECT_NE(second.at("show").at("body").as_string().find("We are sorry for the trouble"),
            json::string::npos);
  EXPECT_EQ(run.body.at("steps").at("draft").at("addressed"), "Apologise first.");

  HttpReply approved =
      alice_->Post("/v1/approvals/" + std::string(second.at("id").as_string()) + "/decision",
                   json::object{{"decision", "approve"}});
  ASSERT_EQ(approved.status, 200u) << approved.raw;
  EXPECT_EQ(AwaitFinished(run_id).at("status"), "completed");
}

}  // namespace
}  // namespace assent::testing
