#include "engine/internal/directory_events.h"

#include "engine/internal/directory_stream.h"
#include "schemas/event_generated.h"

namespace assent::engine {
namespace {

using Builder = flatbuffers::FlatBufferBuilder;

flatbuffers::Offset<flatbuffers::String> String(Builder& builder, std::string_view text) {
  return builder.CreateString(text.data(), text.size());
}

// Each offset is made in a statement of its own: the order of a call's arguments is up to the
// compiler, and so would be the bytes. The order here is the one the golden file was written
// with (tests/golden/directory_v1): the last field's offset first.
std::string Finish(Builder& builder, const EventStamp& stamp, fb::Body type,
                   flatbuffers::Offset<void> body) {
  auto run_id = String(builder, kDirectoryStreamId);
  builder.Finish(fb::CreateEvent(builder, run_id, stamp.seq, stamp.at_ms, type, body));
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()),
                     builder.GetSize());
}

}  // namespace

std::string EncodeUserAdded(const EventStamp& stamp, const UserView& user) {
  Builder builder;
  auto by = String(builder, stamp.by);
  auto groups = builder.CreateVectorOfStrings(user.groups);
  auto user_id = String(builder, user.id);
  auto body = fb::CreateUserAdded(builder, user_id, groups, user.service, user.admin, by);
  return Finish(builder, stamp, fb::Body::UserAdded, body.Union());
}

std::string EncodeUserGroupsChanged(const EventStamp& stamp, std::string_view user_id,
                                    const std::vector<std::string>& groups) {
  Builder builder;
  auto by = String(builder, stamp.by);
  auto group_list = builder.CreateVectorOfStrings(groups);
  auto user = String(builder, user_id);
  auto body = fb::CreateUserGroupsChanged(builder, user, group_list, by);
  return Finish(builder, stamp, fb::Body::UserGroupsChanged, body.Union());
}

std::string EncodeUserRemoved(const EventStamp& stamp, std::string_view user_id) {
  Builder builder;
  auto by = String(builder, stamp.by);
  auto user = String(builder, user_id);
  auto body = fb::CreateUserRemoved(builder, user, by);
  return Finish(builder, stamp, fb::Body::UserRemoved, body.Union());
}

std::string EncodeTokenIssued(const EventStamp& stamp, std::string_view token_id,
                              std::string_view user_id, std::string_view name,
                              const SecretHash& secret_sha256, int64_t expires_at_ms) {
  Builder builder;
  auto by = String(builder, stamp.by);
  auto hash = builder.CreateVector(secret_sha256.data(), secret_sha256.size());
  auto token_name = String(builder, name);
  auto user = String(builder, user_id);
  auto token = String(builder, token_id);
  auto body = fb::CreateTokenIssued(builder, token, user, token_name, hash, expires_at_ms, by);
  return Finish(builder, stamp, fb::Body::TokenIssued, body.Union());
}

std::string EncodeTokenRevoked(const EventStamp& stamp, std::string_view token_id) {
  Builder builder;
  auto by = String(builder, stamp.by);
  auto token = String(builder, token_id);
  auto body = fb::CreateTokenRevoked(builder, token, by);
  return Finish(builder, stamp, fb::Body::TokenRevoked, body.Union());
}

}  // namespace assent::engine
