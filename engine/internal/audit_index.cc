#include "engine/internal/audit_index.h"

#include "engine/internal/index_keys.h"
#include "engine/internal/stored_table.h"
#include "schemas/state_generated.h"

namespace assent::engine {
namespace {

// Persisted in every record: never change it.
constexpr char kIdentifier[] = "AAUD";

std::string Text(const flatbuffers::String* text) { return std::string(StoredText(text)); }

}  // namespace

std::optional<AuditFacts> AuditFactsOf(const fb::Event& event, std::string_view workflow) {
  AuditFacts facts{event.body_type(), std::string(workflow), {}};
  switch (event.body_type()) {
    case fb::Body::RunStarted:
      facts.workflow = Text(event.body_as_RunStarted()->workflow());
      facts.actor = Text(event.body_as_RunStarted()->started_by());
      return facts;
    case fb::Body::ApprovalDecided:
      facts.actor = Text(event.body_as_ApprovalDecided()->reviewer());
      return facts;
    case fb::Body::CommentAdded:
      facts.actor = Text(event.body_as_CommentAdded()->author());
      return facts;
    case fb::Body::RunCancelled:
      facts.actor = Text(event.body_as_RunCancelled()->by());
      return facts;
    case fb::Body::RunRetried:
      facts.actor = Text(event.body_as_RunRetried()->by());
      return facts;
    // Changes to the directory of users and tokens: they concern no workflow (admins only).
    case fb::Body::UserAdded:
      facts.workflow.clear();
      facts.actor = Text(event.body_as_UserAdded()->by());
      return facts;
    case fb::Body::UserGroupsChanged:
      facts.workflow.clear();
      facts.actor = Text(event.body_as_UserGroupsChanged()->by());
      return facts;
    case fb::Body::UserRemoved:
      facts.workflow.clear();
      facts.actor = Text(event.body_as_UserRemoved()->by());
      return facts;
    case fb::Body::TokenIssued:
      facts.workflow.clear();
      facts.actor = Text(event.body_as_TokenIssued()->by());
      return facts;
    case fb::Body::TokenRevoked:
      facts.workflow.clear();
      facts.actor = Text(event.body_as_TokenRevoked()->by());
      return facts;
    // A decision nobody made: the step's on_timeout made it, and the audit says so (no actor);
    // likewise who decides changing when a timeout escalates.
    case fb::Body::ApprovalTimedOut:
    case fb::Body::ApprovalEscalated:
      return facts;
    // What the engine does on its own, not what someone did.
    case fb::Body::NONE:
    case fb::Body::StepStarted:
    case fb::Body::StepCompleted:
    case fb::Body::StepFailed:
    case fb::Body::ApprovalRequested:
    case fb::Body::ApprovalReminded:
    case fb::Body::RunCompleted:
    case fb::Body::RunFailed:
      return std::nullopt;
  }
  return std::nullopt;
}

std::vector<storage::IndexOp> AuditIndexOps(const fb::Event& event, std::string_view workflow) {
  std::vector<storage::IndexOp> ops;
  std::optional<AuditFacts> facts = AuditFactsOf(event, workflow);
  if (!facts) return ops;
  std::string position = EncodeAuditPosition(
      AuditPosition{event.at_ms(), Text(event.run_id()), event.seq()});
  std::string record = EncodeAuditRecord(*facts);
  auto add = [&](AuditScope scope, std::string_view name) {
    ops.push_back({storage::Index::kAudit, AuditKey(scope, name, position), record});
  };
  add(AuditScope::kEverything, "");
  if (!facts->workflow.empty()) add(AuditScope::kWorkflow, facts->workflow);
  if (!facts->actor.empty()) add(AuditScope::kActor, facts->actor);
  return ops;
}

std::string EncodeAuditRecord(const AuditFacts& facts) {
  flatbuffers::FlatBufferBuilder builder(64 + facts.workflow.size() + facts.actor.size());
  // One statement each: the order of function arguments is unspecified, and the same record
  // must give the same bytes whatever the compiler (verify compares them; tests/golden too).
  auto actor = StoreText(builder, facts.actor);
  auto workflow = StoreText(builder, facts.workflow);
  builder.Finish(fb::CreateAuditRecord(builder, static_cast<uint8_t>(facts.kind), workflow, actor),
                 kIdentifier);
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
}

Result<AuditFacts> DecodeAuditRecord(std::string_view record) {
  std::string aligned;
  const auto* root = VerifiedRoot<fb::AuditRecord>(record, kIdentifier, &aligned);
  if (root == nullptr) return Status::Corruption("audit record does not verify");
  auto kind = static_cast<fb::Body>(root->kind());
  if (kind == fb::Body::NONE || kind > fb::Body::MAX) {
    return Status::Corruption("audit record: unknown event type " +
                              std::to_string(root->kind()));
  }
  return AuditFacts{kind, Text(root->workflow()), Text(root->actor())};
}

}  // namespace assent::engine
