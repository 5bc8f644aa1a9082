#include "tests/e2e/kill_loop/webhooks.h"

#include <set>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "tests/e2e/kill_loop/check_failed.h"
#include "tests/support/webhook_signature_check.h"

namespace assent::testing::kill_loop {
namespace {

namespace json = boost::json;

// One answer in five is a 500, so retries happen every round.
constexpr unsigned kFailOneIn = 5;

// The delivery ids an approval's state calls for.
std::vector<std::string> Expected(const std::string& id, const json::value& approval) {
  std::vector<std::string> ids{id + ".requested.1"};
  const json::string& status = approval.at("status").as_string();
  if (status == "approved" || status == "rejected") ids.push_back(id + ".decided.1");
  if (status == "cancelled") ids.push_back(id + ".cancelled.1");
  if (status == "timed_out") ids.push_back(id + ".timed_out.1");
  if (const json::value* rung = approval.as_object().if_contains("escalated")) {
    ids.push_back(id + ".escalated-" + json::serialize(*rung) + ".1");
  }
  return ids;
}

}  // namespace

WebhookReceiver::WebhookReceiver()
    : target_([this](const ReceivedRequest& request, size_t) { return Answer(request); }) {}

std::string WebhookReceiver::url() const { return target_.url("/notify"); }

void WebhookReceiver::BeginRound(uint64_t seed) {
  std::lock_guard lock(mutex_);
  random_.seed(seed ^ 0x5bd1e995u);  // not the side-effect target's sequence
}

DeliveriesSeen WebhookReceiver::Seen() const {
  std::lock_guard lock(mutex_);
  return seen_;
}

TargetResponse WebhookReceiver::Answer(const ReceivedRequest& request) {
  std::string id;
  if (auto header = request.headers.find("assent-delivery"); header != request.headers.end()) {
    id = header->second;
  }
  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec);
  const json::value* named = ec || !body.is_object() ? nullptr
                                                     : body.as_object().if_contains("delivery_id");
  std::string problem;
  if (!WebhookSignatureValid(request, kWebhookSecret)) problem = "delivery " + id + ": bad signature";
  if (named == nullptr || !named->is_string() || named->as_string() != id) {
    problem = "delivery '" + id + "': its body does not name it: " + request.body.substr(0, 200);
  }
  std::lock_guard lock(mutex_);
  ++seen_.requests;
  if (!problem.empty()) {
    problems_.push_back(problem);
    return TargetResponse{400, "{}"};
  }
  if (random_() % kFailOneIn == 0) {
    ++seen_.failed_on_purpose;
    return TargetResponse{500, R"({"error": "flaky on purpose"})"};
  }
  ++seen_.by_id[id];
  return TargetResponse{200, "{}"};
}

void CheckWebhooks(ApiClient& api, const std::vector<std::string>& approvals,
                   const std::vector<std::string>& notices, const WebhookReceiver& receiver,
                   std::chrono::seconds bound) {
  std::set<std::string> wanted(notices.begin(), notices.end());
  for (const std::string& id : approvals) {
    HttpReply approval = api.Get("/v1/approvals/" + id);
    if (approval.status != 200) {
      throw CheckFailed("GET /v1/approvals/" + id + " answered " +
                        std::to_string(approval.status) + ": " + approval.raw);
    }
    for (std::string& delivery : Expected(id, approval.body)) wanted.insert(std::move(delivery));
  }
  auto deadline = std::chrono::steady_clock::now() + bound;
  std::vector<std::string> missing;
  for (;;) {
    {
      std::lock_guard lock(receiver.mutex_);
      if (!receiver.problems_.empty()) {
        throw CheckFailed("webhook receiver: " + receiver.problems_.front() + " (and " +
                          std::to_string(receiver.problems_.size() - 1) + " more)");
      }
      missing.clear();
      for (const std::string& id : wanted) {
        if (!receiver.seen_.by_id.contains(id)) missing.push_back(id);
      }
    }
    if (missing.empty()) return;
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // poll interval, not a sync
  }
  std::string list;
  for (size_t i = 0; i < missing.size() && i < 10; ++i) list += "\n  " + missing[i];
  throw CheckFailed(std::to_string(missing.size()) + " of " + std::to_string(wanted.size()) +
                    " webhook deliveries never reached the receiver within " +
                    std::to_string(bound.count()) + " s:" + list);
}

}  // namespace assent::testing::kill_loop
