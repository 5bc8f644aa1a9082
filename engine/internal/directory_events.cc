#include "engine/internal/directory_events.h"

#include "engine/internal/directory_stream.h"
#include "schemas/event_generated.h"

namespace assent::engine {
namespace {

using Builder = flatbuffers::FlatBufferBuilder;

flatbuffers::Offset<flatbuffers::String> String(Builder& builder, std::string_view text) {
  return builder.CreateString(text.data(), text.size());
}

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
  auto body = fb::CreateUserAdded(builder, String(builder, user.id),
                                  builder.CreateVectorOfStrings(user.groups), user.service,
                                  user.admin, String(builder, stamp.by));
  return Finish(builder, stamp, fb::Body::UserAdded, body.Union());
}

std::string EncodeUserGroupsChanged(const EventStamp& stamp, std::string_view user_id,
                                    const std::vector<std::string>& groups) {
  Builder builder;
  auto body = fb::CreateUserGroupsChanged(builder, String(builder, user_id),
                                          builder.CreateVectorOfStrings(groups),
                                          String(builder, stamp.by));
  return Finish(builder, stamp, fb::Body::UserGroupsChanged, body.Union());
}

std::string EncodeUserRemoved(const EventStamp& stamp, std::string_view user_id) {
  Builder builder;
  auto body = fb::CreateUserRemoved(builder, String(builder, user_id), String(builder, stamp.by));
  return Finish(builder, stamp, fb::Body::UserRemoved, body.Union());
}

std::string EncodeTokenIssued(const EventStamp& stamp, std::string_view token_id,
                              std::string_view user_id, std::string_view name,
                              const SecretHash& secret_sha256, int64_t expires_at_ms) {
  Builder builder;
  auto body = fb::CreateTokenIssued(
      builder, String(builder, token_id), String(builder, user_id), String(builder, name),
      builder.CreateVector(secret_sha256.data(), secret_sha256.size()), expires_at_ms,
      String(builder, stamp.by));
  return Finish(builder, stamp, fb::Body::TokenIssued, body.Union());
}

std::string EncodeTokenRevoked(const EventStamp& stamp, std::string_view token_id) {
  Builder builder;
  auto body =
      fb::CreateTokenRevoked(builder, String(builder, token_id), String(builder, stamp.by));
  return Finish(builder, stamp, fb::Body::TokenRevoked, body.Union());
}

}  // namespace assent::engine
