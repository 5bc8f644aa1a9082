#include "engine/internal/access_lists.h"

#include <algorithm>

namespace assent::engine {
namespace {

bool IsValidPrincipalName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '.' || c == '@';
  });
}

}  // namespace

Result<AccessList> AccessList::Parse(const boost::json::value& json) {
  static const std::string kExpected =
      "must be a non-empty array of user ids, \"group:<name>\" or \"*\"";
  if (!json.is_array() || json.as_array().empty()) return Status::InvalidArgument(kExpected);
  AccessList list;
  size_t position = 0;
  for (const boost::json::value& entry : json.as_array()) {
    ++position;
    std::string where = "entry " + std::to_string(position);
    if (!entry.is_string()) {
      return Status::InvalidArgument(where + " must be a user id, \"group:<name>\" or \"*\"");
    }
    std::string_view text = entry.as_string();
    if (text == "*") {
      list.anyone_ = true;
    } else if (text.starts_with(kGroupPrefix)) {
      std::string_view group = text.substr(kGroupPrefix.size());
      if (!IsValidPrincipalName(group)) {
        return Status::InvalidArgument(where + ": group name must be 1-128 characters of "
                                       "A-Z a-z 0-9 _ - . @");
      }
      list.groups_.emplace_back(group);
    } else if (IsValidPrincipalName(text)) {
      list.users_.emplace_back(text);
    } else {
      return Status::InvalidArgument(where + ": '" + std::string(text) +
                                     "' is not a user id (1-128 characters of A-Z a-z 0-9 _ - . @),"
                                     " \"group:<name>\" or \"*\"");
    }
    list.entries_.emplace_back(text);
  }
  return list;
}

bool AccessList::Admits(const Principal& principal) const {
  if (anyone_) return true;
  if (std::find(users_.begin(), users_.end(), principal.id) != users_.end()) return true;
  for (const std::string& group : principal.groups) {
    if (std::find(groups_.begin(), groups_.end(), group) != groups_.end()) return true;
  }
  return false;
}

std::optional<size_t> AccessList::KnownUsers() const {
  if (anyone_ || !groups_.empty()) return std::nullopt;
  std::vector<std::string> distinct = users_;
  std::sort(distinct.begin(), distinct.end());
  return std::unique(distinct.begin(), distinct.end()) - distinct.begin();
}

void AccessList::Add(const AccessList& other) {
  anyone_ = anyone_ || other.anyone_;
  users_.insert(users_.end(), other.users_.begin(), other.users_.end());
  groups_.insert(groups_.end(), other.groups_.begin(), other.groups_.end());
  entries_.insert(entries_.end(), other.entries_.begin(), other.entries_.end());
}

Status ReadWorkflowAccess(const boost::json::object& definition, WorkflowAccess* access) {
  AccessList* lists[] = {&access->viewers, &access->editors, &access->starters};
  for (size_t i = 0; i < kWorkflowAccessFields.size(); ++i) {
    const boost::json::value* field = definition.if_contains(kWorkflowAccessFields[i]);
    if (field == nullptr) continue;
    auto parsed = AccessList::Parse(*field);
    if (!parsed.ok()) {
      return Status::InvalidArgument("'" + std::string(kWorkflowAccessFields[i]) +
                                     "': " + parsed.status().message());
    }
    *lists[i] = std::move(parsed).value();
  }
  return Status::Ok();
}

}  // namespace assent::engine
