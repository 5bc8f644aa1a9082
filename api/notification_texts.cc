#include "api/notification_texts.h"

#include <utility>

#include "api/json_views.h"
#include "api/json_writer.h"

namespace assent::api {

NotificationTexts::NotificationTexts(engine::ApprovalNotification notification,
                                     const StreamDeciders* deciders)
    : notification_(std::move(notification)), deciders_(deciders) {}

bool NotificationTexts::decidable() const {
  return deciders_ != nullptr && notification_.approval.status == engine::ApprovalStatus::kPending;
}

const std::shared_ptr<const std::string>& NotificationTexts::Message(bool can_decide) const {
  const Form& form = forms_[can_decide && decidable() ? 1 : 0];
  std::call_once(form.written, [&] { form.text = Write(can_decide && decidable()); });
  return form.text;
}

std::shared_ptr<const std::string> NotificationTexts::Write(bool can_decide) const {
  if (deciders_ == nullptr) {
    return std::make_shared<const std::string>(WriteJson(ToJson(notification_)));
  }
  // The approvers are the same whoever asks; the anonymous principal decides nothing.
  engine::DecidersView deciders = (*deciders_)(engine::Principal{}, notification_.approval);
  deciders.can_decide = can_decide;
  return std::make_shared<const std::string>(WriteJson(ToJson(notification_, deciders)));
}

}  // namespace assent::api
