// The notify outbox: webhook deliveries waiting to be sent, one entry of the notify-outbox
// index each (storage::Index::kNotifyOutbox, key: the delivery id; value: a NotifyDelivery
// table of schemas/state.fbs, file identifier "ANTF").
//
// A delivery is made while a commit is prepared, from the approval events the commit holds
// (requested, decided, and the approvals a cancel withdrew), once per target of the run's
// definition, and from the completions of notify steps, once each; it is written in the same
// batch: the event and the duty to tell someone about it become durable together. The dispatcher (notify_dispatcher.h) sends it and deletes it.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/internal/definition.h"
#include "engine/internal/run_state.h"
#include "engine/webhook.h"
#include "storage/event_log.h"

namespace assent::engine {

struct OutboxDelivery {
  // "<approval id>.<requested|decided|cancelled>.<target number>", or a notify step's
  // "<run id>.<seq>.notify" (NoticeDeliveryId): the same for every attempt, before and after a
  // restart, and never the same for two notifications.
  std::string id;
  // With version and target or step: where the secret is read when signing.
  std::string workflow;
  uint32_t version = 0;
  uint32_t target = 0;   // position in the definition's notify list
  std::string url;
  WebhookFormat format = WebhookFormat::kJson;
  std::string ca_file;
  std::string body;
  int64_t created_at_ms = 0;
  std::string step_id;  // a notify step's message: the step whose `target` it goes to

  bool operator==(const OutboxDelivery&) const = default;
};

std::string EncodeDelivery(const OutboxDelivery& delivery);
// kCorruption when the bytes do not verify as a NotifyDelivery.
Result<OutboxDelivery> DecodeDelivery(std::string_view bytes);

// How the outbox renders what it records.
struct OutboxStyle {
  std::string public_url;         // EngineOptions::public_url
  const WebhookRenderer* render;  // null or empty: the minimal JSON body
};

// The deliveries that the events in `records` (one commit of one run) call for, given the
// run's state after them and the definition whose targets to notify: one per approval event
// and target.
std::vector<OutboxDelivery> DeliveriesFor(const std::vector<storage::Record>& records,
                                          const RunState& after,
                                          const WorkflowDefinition& definition,
                                          const OutboxStyle& style, int64_t now_ms);

// The delivery id of the message a notify step sends, `seq` being the seq of the step's
// StepCompleted.
std::string NoticeDeliveryId(std::string_view run_id, uint64_t seq);

// The deliveries of the notify steps that completed in `records` (one commit of one run),
// whose definition is `pinned` (the version the run runs): one each, to the step's target,
// with the message and delivery id of the step's output.
std::vector<OutboxDelivery> NoticeDeliveriesFor(const std::vector<storage::Record>& records,
                                                const RunState& after,
                                                const WorkflowDefinition& pinned,
                                                const OutboxStyle& style, int64_t now_ms);

// The minimal body used when no renderer is given: {type, delivery_id, workflow, run_id,
// approval_id, url}, or a notify step's {type, delivery_id, workflow, run_id, step, message,
// url}.
std::string MinimalWebhookBody(const WebhookMessage& message);

}  // namespace assent::engine
