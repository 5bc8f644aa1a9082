#include "engine/internal/notify_outbox.h"

#include <boost/json/serialize.hpp>

#include "base/json_text.h"
#include "engine/internal/stored_table.h"
#include "schemas/event_generated.h"
#include "schemas/state_generated.h"

namespace assent::engine {
namespace {

constexpr char kIdentifier[] = "ANTF";

// One approval event a commit holds, in commit order.
struct ApprovalEvent {
  std::string_view type;
  const ApprovalView* approval;
  // What tells this event apart from the approval's others of its type, in delivery ids:
  // "decided", or for what may happen once per rung "escalated-2", "reminded-0".
  std::string occasion;
};

std::vector<ApprovalEvent> ApprovalEventsOf(const std::vector<storage::Record>& records,
                                            const RunState& after) {
  std::vector<ApprovalEvent> events;
  auto add = [&](std::string_view type, std::string_view approval_id, std::string suffix = "") {
    if (const ApprovalView* approval = after.FindApproval(std::string(approval_id))) {
      // "approval.decided" -> "decided"
      events.push_back({type, approval, std::string(type.substr(type.find('.') + 1)) + suffix});
    }
  };
  for (const storage::Record& record : records) {
    const fb::Event* event = fb::GetEvent(record.bytes.data());
    switch (event->body_type()) {
      case fb::Body::ApprovalRequested:
        add("approval.requested", StoredText(event->body_as_ApprovalRequested()->approval_id()));
        break;
      case fb::Body::ApprovalDecided: {
        // A vote short of its quorum decides nothing yet: targets hear of the decision, with
        // every vote in it. (One commit holds one decision of an approval, so `after` is its.)
        std::string_view id = StoredText(event->body_as_ApprovalDecided()->approval_id());
        const ApprovalView* approval = after.FindApproval(std::string(id));
        if (approval != nullptr && approval->status != ApprovalStatus::kPending) {
          add("approval.decided", id);
        }
        break;
      }
      case fb::Body::ApprovalTimedOut:
        add("approval.timed_out", StoredText(event->body_as_ApprovalTimedOut()->approval_id()));
        break;
      case fb::Body::ApprovalEscalated: {
        const auto* escalated = event->body_as_ApprovalEscalated();
        add("approval.escalated", StoredText(escalated->approval_id()),
            "-" + std::to_string(escalated->rung()));
        break;
      }
      case fb::Body::ApprovalReminded: {
        const auto* reminded = event->body_as_ApprovalReminded();
        add("approval.reminded", StoredText(reminded->approval_id()),
            "-" + std::to_string(reminded->rung()));
        break;
      }
      case fb::Body::RunCancelled:
        // A run is cancelled once, and only a cancel withdraws approvals: every cancelled one
        // was withdrawn by this event.
        for (const ApprovalView& approval : after.approvals) {
          if (approval.status == ApprovalStatus::kCancelled) {
            events.push_back({"approval.cancelled", &approval, "cancelled"});
          }
        }
        break;
      default: break;
    }
  }
  return events;
}

}  // namespace

std::string EncodeDelivery(const OutboxDelivery& delivery) {
  flatbuffers::FlatBufferBuilder builder(256 + delivery.body.size());
  builder.Finish(
      fb::CreateNotifyDelivery(
          builder, StoreText(builder, delivery.id), StoreText(builder, delivery.workflow),
          delivery.version, delivery.target, StoreText(builder, delivery.url),
          static_cast<uint8_t>(delivery.format), StoreText(builder, delivery.ca_file),
          StoreText(builder, delivery.body), delivery.created_at_ms,
          StoreText(builder, delivery.step_id)),
      kIdentifier);
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
}

Result<OutboxDelivery> DecodeDelivery(std::string_view bytes) {
  std::string aligned;
  const auto* root = VerifiedRoot<fb::NotifyDelivery>(bytes, kIdentifier, &aligned);
  if (root == nullptr) return Status::Corruption("notify delivery does not verify");
  if (root->format() != static_cast<uint8_t>(WebhookFormat::kJson) &&
      root->format() != static_cast<uint8_t>(WebhookFormat::kSlack)) {
    return Status::Corruption("notify delivery has unknown format " +
                              std::to_string(root->format()));
  }
  OutboxDelivery delivery;
  delivery.id = StoredText(root->delivery_id());
  delivery.workflow = StoredText(root->workflow());
  delivery.version = root->version();
  delivery.target = root->target();
  delivery.url = StoredText(root->url());
  delivery.format = static_cast<WebhookFormat>(root->format());
  delivery.ca_file = StoredText(root->ca_file());
  delivery.body = StoredText(root->body());
  delivery.created_at_ms = root->created_at_ms();
  delivery.step_id = StoredText(root->step_id());
  return delivery;
}

std::vector<OutboxDelivery> DeliveriesFor(const std::vector<storage::Record>& records,
                                          const RunState& after,
                                          const WorkflowDefinition& definition,
                                          const OutboxStyle& style, int64_t now_ms) {
  std::vector<OutboxDelivery> deliveries;
  if (definition.notify.empty()) return deliveries;
  for (const ApprovalEvent& event : ApprovalEventsOf(records, after)) {
    for (size_t target = 0; target < definition.notify.size(); ++target) {
      const NotifyTarget& to = definition.notify[target];
      WebhookMessage message;
      message.format = to.format;
      message.type = std::string(event.type);
      message.delivery_id = event.approval->id + "." + event.occasion + "." +
                            std::to_string(target + 1);
      message.approval = *event.approval;
      if (!style.public_url.empty()) {
        message.approval_url = style.public_url + "/approvals/" + event.approval->id;
      }
      OutboxDelivery delivery;
      delivery.id = message.delivery_id;
      delivery.workflow = definition.name;
      delivery.version = definition.version;
      delivery.target = static_cast<uint32_t>(target);
      delivery.url = to.url;
      delivery.format = to.format;
      delivery.ca_file = to.ca_file;
      delivery.body = style.render != nullptr && *style.render ? (*style.render)(message)
                                                               : MinimalWebhookBody(message);
      delivery.created_at_ms = now_ms;
      deliveries.push_back(std::move(delivery));
    }
  }
  return deliveries;
}

std::string NoticeDeliveryId(std::string_view run_id, uint64_t seq) {
  return std::string(run_id) + "." + std::to_string(seq) + ".notify";
}

std::vector<OutboxDelivery> NoticeDeliveriesFor(const std::vector<storage::Record>& records,
                                                const RunState& after,
                                                const WorkflowDefinition& pinned,
                                                const OutboxStyle& style, int64_t now_ms) {
  std::vector<OutboxDelivery> deliveries;
  for (const storage::Record& record : records) {
    const fb::Event* event = fb::GetEvent(record.bytes.data());
    if (event->body_type() != fb::Body::StepCompleted) continue;
    const auto* completed = event->body_as_StepCompleted();
    const StepDefinition* step = pinned.Find(StoredText(completed->step_id()));
    if (step == nullptr || step->type != StepType::kNotify) continue;
    // The output NoticeOutput (run_commands.cc) made: {delivery_id, message}.
    boost::system::error_code ec;
    boost::json::value output = ParseJsonText(StoredText(completed->output()), ec);
    const boost::json::object* fields = ec ? nullptr : output.if_object();
    const boost::json::value* id = fields ? fields->if_contains("delivery_id") : nullptr;
    const boost::json::value* text = fields ? fields->if_contains("message") : nullptr;
    if (id == nullptr || !id->is_string() || text == nullptr || !text->is_string()) continue;
    WebhookMessage message;
    message.format = step->target.format;
    message.type = std::string(kStepNotifyType);
    message.delivery_id = std::string(id->as_string());
    message.notice = StepNotice{pinned.name, after.run_id, step->id,
                                std::string(text->as_string()),
                                style.public_url.empty() ? std::string()
                                                         : style.public_url + "/runs/" +
                                                               after.run_id};
    OutboxDelivery delivery;
    delivery.id = message.delivery_id;
    delivery.workflow = pinned.name;
    delivery.version = pinned.version;
    delivery.step_id = step->id;
    delivery.url = step->target.url;
    delivery.format = step->target.format;
    delivery.ca_file = step->target.ca_file;
    delivery.body = style.render != nullptr && *style.render ? (*style.render)(message)
                                                             : MinimalWebhookBody(message);
    delivery.created_at_ms = now_ms;
    deliveries.push_back(std::move(delivery));
  }
  return deliveries;
}

std::string MinimalWebhookBody(const WebhookMessage& message) {
  if (message.type == kStepNotifyType) {
    const StepNotice& notice = message.notice;
    return boost::json::serialize(boost::json::object{{"type", message.type},
                                                      {"delivery_id", message.delivery_id},
                                                      {"workflow", notice.workflow},
                                                      {"run_id", notice.run_id},
                                                      {"step", notice.step_id},
                                                      {"message", notice.message},
                                                      {"url", notice.run_url}});
  }
  return boost::json::serialize(boost::json::object{{"type", message.type},
                                                    {"delivery_id", message.delivery_id},
                                                    {"workflow", message.approval.workflow},
                                                    {"run_id", message.approval.run_id},
                                                    {"approval_id", message.approval.id},
                                                    {"url", message.approval_url}});
}

}  // namespace assent::engine
