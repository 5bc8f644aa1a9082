// The kill loop's webhook receiver and its check. The workflow notifies the receiver (a
// `notify` target with a secret); the receiver lives for the whole loop, answers 500 to some
// deliveries (drawn from the round's seed) so the server retries, and verifies each delivery's
// signature as a receiver would. After each restart, every approval the checker saw must have
// reached it: "<id>.requested.1" for each, "<id>.decided.1" once decided, "<id>.cancelled.1"
// once withdrawn, and the delivery id in the output of every notify step that completed; every
// delivery's Assent-Delivery names its body's delivery_id and its signature is valid. A
// notification is recorded in the commit of its event, so this holds for every event in the
// log, acknowledged or not, across any SIGKILL.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "tests/support/api_client.h"
#include "tests/support/http_target.h"

namespace assent::testing::kill_loop {

inline constexpr const char* kWebhookSecret = "kill-loop-webhook-secret";

struct DeliveriesSeen {
  size_t requests = 0;           // every attempt that reached the receiver
  size_t failed_on_purpose = 0;  // answered 500
  std::map<std::string, size_t> by_id;  // delivery id -> attempts
};

class WebhookReceiver {
 public:
  WebhookReceiver();

  std::string url() const;  // the notify target's URL
  void BeginRound(uint64_t seed);
  DeliveriesSeen Seen() const;

 private:
  TargetResponse Answer(const ReceivedRequest& request);

  mutable std::mutex mutex_;
  std::mt19937_64 random_;
  DeliveriesSeen seen_;
  std::vector<std::string> problems_;  // deliveries with a bad signature or id
  // Last: its thread calls Answer, so it must stop before the members above go.
  HttpTarget target_;

  friend void CheckWebhooks(ApiClient&, const std::vector<std::string>&,
                            const std::vector<std::string>&, const WebhookReceiver&,
                            std::chrono::seconds);
};

// Waits (at most `bound`) until every notification of `approvals` (ids; their state read from
// the server) and every delivery of `notices` (the delivery ids of notify steps that completed)
// has reached `receiver`; throws CheckFailed naming what is missing, or the first deliveries
// whose signature or id was wrong.
void CheckWebhooks(ApiClient& api, const std::vector<std::string>& approvals,
                   const std::vector<std::string>& notices, const WebhookReceiver& receiver,
                   std::chrono::seconds bound);

}  // namespace assent::testing::kill_loop
