#include "engine/internal/directory_state.h"

#include <algorithm>

#include "engine/internal/stored_table.h"
#include "schemas/event_generated.h"

namespace assent::engine {
namespace {

std::string Text(const flatbuffers::String* text) { return text ? text->str() : std::string(); }

void OnUserAdded(DirectoryState& state, const fb::UserAdded& body, int64_t at_ms) {
  UserRecord& user = state.users[Text(body.user_id())];
  user.view =
      UserView{Text(body.user_id()), StoredTexts(body.groups()), body.service(), body.admin()};
  user.created_at_ms = at_ms;
  user.created_by = Text(body.by());
  user.removed = false;
}

void OnUserGroupsChanged(DirectoryState& state, const fb::UserGroupsChanged& body) {
  auto user = state.users.find(Text(body.user_id()));
  if (user != state.users.end()) user->second.view.groups = StoredTexts(body.groups());
}

void OnUserRemoved(DirectoryState& state, const fb::UserRemoved& body, int64_t at_ms) {
  std::string user_id = Text(body.user_id());
  auto user = state.users.find(user_id);
  if (user == state.users.end()) return;
  user->second.removed = true;
  // Their tokens die with them, and their lists say so.
  for (auto& [id, token] : state.tokens) {
    if (token.view.user_id == user_id && !token.view.revoked_at_ms) {
      token.view.revoked_at_ms = at_ms;
    }
  }
}

void OnTokenIssued(DirectoryState& state, const fb::TokenIssued& body, int64_t at_ms) {
  TokenRecord& token = state.tokens[Text(body.token_id())];
  token.view = TokenView{Text(body.token_id()), Text(body.user_id()), Text(body.name()), at_ms,
                         std::nullopt, std::nullopt};
  if (body.expires_at_ms() != 0) token.view.expires_at_ms = body.expires_at_ms();
  token.secret_sha256 = {};
  if (const auto* hash = body.secret_sha256(); hash != nullptr) {
    std::copy_n(hash->data(), std::min<size_t>(hash->size(), token.secret_sha256.size()),
                token.secret_sha256.begin());
  }
  token.issued_by = Text(body.by());
}

void OnTokenRevoked(DirectoryState& state, const fb::TokenRevoked& body, int64_t at_ms) {
  auto token = state.tokens.find(Text(body.token_id()));
  if (token != state.tokens.end() && !token->second.view.revoked_at_ms) {
    token->second.view.revoked_at_ms = at_ms;
  }
}

}  // namespace

void Apply(DirectoryState& state, const fb::Event& event) {
  state.last_seq = event.seq();
  const int64_t at_ms = event.at_ms();
  // No default: -Werror=switch makes a new union member a build error until it is placed.
  switch (event.body_type()) {
    case fb::Body::UserAdded: OnUserAdded(state, *event.body_as_UserAdded(), at_ms); break;
    case fb::Body::UserGroupsChanged:
      OnUserGroupsChanged(state, *event.body_as_UserGroupsChanged());
      break;
    case fb::Body::UserRemoved: OnUserRemoved(state, *event.body_as_UserRemoved(), at_ms); break;
    case fb::Body::TokenIssued: OnTokenIssued(state, *event.body_as_TokenIssued(), at_ms); break;
    case fb::Body::TokenRevoked:
      OnTokenRevoked(state, *event.body_as_TokenRevoked(), at_ms);
      break;
    // A run's events: never in the directory's stream.
    case fb::Body::NONE:
    case fb::Body::RunStarted:
    case fb::Body::StepStarted:
    case fb::Body::StepCompleted:
    case fb::Body::StepFailed:
    case fb::Body::ApprovalRequested:
    case fb::Body::ApprovalDecided:
    case fb::Body::CommentAdded:
    case fb::Body::RunCompleted:
    case fb::Body::RunFailed:
    case fb::Body::RunCancelled:
    case fb::Body::ApprovalTimedOut:
    case fb::Body::ApprovalEscalated:
    case fb::Body::ApprovalReminded:
    case fb::Body::RunRetried: break;
  }
}

}  // namespace assent::engine
