// NotificationTexts: one approval notification as reviewer streams receive it, serialized the
// first time a reviewer needs it.
//
// With StreamDeciders, a pending approval's message has two forms, "can_decide" false and true.
// Usually one audience (the reviewers who may decide it) receives it, so each form is written
// only when first asked for: most notifications are serialized once, not twice.
//
// Thread-safe: the hub thread, the engine's commit thread and joining sessions ask concurrently.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "api/stream_visibility.h"
#include "engine/engine.h"

namespace assent::api {

class NotificationTexts {
 public:
  // `deciders` (null: messages carry neither "approvers" nor "can_decide") must outlive this.
  NotificationTexts(engine::ApprovalNotification notification, const StreamDeciders* deciders);

  const engine::ApprovalView& approval() const { return notification_.approval; }
  // Whether a message may say "can_decide": true (there are deciders and it is pending).
  bool decidable() const;
  // The serialized message; with `can_decide` (ignored unless decidable()) its "can_decide".
  const std::shared_ptr<const std::string>& Message(bool can_decide) const;

 private:
  struct Form {
    mutable std::once_flag written;
    mutable std::shared_ptr<const std::string> text;
  };

  std::shared_ptr<const std::string> Write(bool can_decide) const;

  const engine::ApprovalNotification notification_;
  const StreamDeciders* const deciders_;
  Form forms_[2];  // by can_decide
};

}  // namespace assent::api
