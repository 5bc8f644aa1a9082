// Shared set-up for end-to-end tests: a real `assent serve` on a temp data dir, a local HTTP
// target for `http` steps, and helpers to apply the invoice workflow and wait for run states.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "tests/support/api_client.h"
#include "tests/support/http_target.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace assent::testing {

inline constexpr const char* kToken = "e2e-secret-token";

// The invoice flow from the product brief; `pay` posts to `pay_url`. The finance group edits
// (and so decides) it; the admin token may do anything.
inline std::string InvoiceWorkflow(const std::string& pay_url) {
  return R"({"name": "invoice-payment", "editors": ["group:finance"], "steps": [
    {"id": "extract", "type": "code", "lua": "return {amount = input.amount, vendor = input.vendor}"},
    {"id": "check", "type": "condition", "if": "steps.extract.amount > 5000", "then": "review", "else": "pay"},
    {"id": "review", "type": "approval", "message": "Pay {{steps.extract.amount}} to {{steps.extract.vendor}}?",
     "show": {"amount": "{{steps.extract.amount}}", "vendor": "{{steps.extract.vendor}}"}},
    {"id": "pay", "type": "http", "method": "POST", "url": ")" + pay_url + R"(",
     "body": {"amount": "{{steps.extract.amount}}", "vendor": "{{steps.extract.vendor}}"}},
    {"id": "done", "type": "code", "lua": "return {payment = steps.pay, approved_by = steps.review and steps.review.reviewer or 'auto'}"}
  ]})";
}

// Whether a stream message is of `type` ("snapshot", "approval.requested", ...).
inline bool IsType(const boost::json::value& message, const char* type) {
  return message.is_object() && message.as_object().contains("type") &&
         message.at("type") == type;
}

class E2eTest : public ::testing::Test {
 protected:
  E2eTest()
      : payee_([](const ReceivedRequest&, size_t index) {
          return TargetResponse{200, R"({"payment_id": "pay-)" + std::to_string(index) + R"("})"};
        }) {}

  void SetUp() override {
    StartServer();
    HttpReply applied = api().Put("/v1/workflows/invoice-payment",
                                  boost::json::parse(InvoiceWorkflow(payee_.url("/payments"))));
    ASSERT_EQ(applied.status, 200u) << applied.raw;
  }

  void StartServer() {
    client_.reset();
    server_ = ServerProcess::Serve(data_.str(), kToken);
  }

  // Adds a user over REST as the admin (`user`: {"id", "groups", "service"}); the user's first
  // token, "" (and a failure) when refused.
  std::string AddUser(const boost::json::object& user) {
    HttpReply added = api().Post("/v1/users", user);
    EXPECT_EQ(added.status, 201u) << added.raw;
    if (added.status != 201) return "";
    return std::string(added.body.at("token").at("token").as_string());
  }

  ApiClient& api() {
    if (!client_) client_ = std::make_unique<ApiClient>(server_->port(), kToken);
    return *client_;
  }

  // POSTs a start of an invoice run; `query` goes after the path (e.g. "?wait=10s").
  HttpReply PostInvoice(int amount, const std::string& vendor = "ACME",
                        const std::string& query = "") {
    return api().Post("/v1/workflows/invoice-payment/runs" + query,
                      boost::json::object{{"input", {{"amount", amount}, {"vendor", vendor}}}});
  }

  std::string StartInvoice(int amount, const std::string& vendor = "ACME") {
    HttpReply reply = PostInvoice(amount, vendor);
    EXPECT_EQ(reply.status, 201u) << reply.raw;
    return reply.body.is_object() ? std::string(reply.body.at("run_id").as_string()) : "";
  }

  // The environment that points the `assent` CLI (RunAssent) at this server.
  std::vector<std::string> CliEnv() const {
    return {"ASSENT_URL=http://127.0.0.1:" + std::to_string(server_->port()),
            std::string("ASSENT_TOKEN=") + kToken};
  }

  // Polls the run (bounded) until it reaches `status`; the run's JSON at that point.
  boost::json::value AwaitRunStatus(const std::string& run_id, const std::string& status) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    HttpReply reply;
    while (std::chrono::steady_clock::now() < deadline) {
      reply = api().Get("/v1/runs/" + run_id);
      if (reply.status == 200 && reply.body.at("status") == status.c_str()) return reply.body;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval, not a sync
    }
    ADD_FAILURE() << "run " << run_id << " did not reach " << status << "; last: " << reply.raw;
    return {};
  }

  TempDir data_;
  HttpTarget payee_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<ApiClient> client_;
};

}  // namespace assent::testing
