// Encoders for the directory's events (schemas/event.fbs, UserAdded ... TokenRevoked): each
// returns a finished `assent.fb.Event` of the stream kDirectoryStreamId with the given seq and
// time, ready to append and to Apply. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/directory.h"
#include "engine/internal/token_text.h"

namespace assent::engine {

struct EventStamp {
  uint64_t seq = 0;
  int64_t at_ms = 0;
  std::string_view by;  // the principal who made the change
};

std::string EncodeUserAdded(const EventStamp& stamp, const UserView& user);
std::string EncodeUserGroupsChanged(const EventStamp& stamp, std::string_view user_id,
                                    const std::vector<std::string>& groups);
std::string EncodeUserRemoved(const EventStamp& stamp, std::string_view user_id);
// `expires_at_ms`: 0 for never.
std::string EncodeTokenIssued(const EventStamp& stamp, std::string_view token_id,
                              std::string_view user_id, std::string_view name,
                              const SecretHash& secret_sha256, int64_t expires_at_ms);
std::string EncodeTokenRevoked(const EventStamp& stamp, std::string_view token_id);

}  // namespace assent::engine
