// DirectoryState: the directory as its events leave it, and Apply, the one fold over them: used
// live once a change is durable and on Open over the whole stream, so both give the same state
// (tests/engine/directory_test.cc checks it). No clock, randomness or I/O in Apply: times come
// from the envelope, ids and hashes inside the events.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/directory.h"
#include "engine/internal/token_text.h"

namespace assent::fb {
struct Event;
}

namespace assent::engine {

struct UserRecord {
  UserView view;
  int64_t created_at_ms = 0;
  std::string created_by;
  bool removed = false;  // the id stays taken for good

  bool operator==(const UserRecord&) const = default;
};

struct TokenRecord {
  TokenView view;
  SecretHash secret_sha256{};
  std::string issued_by;

  bool operator==(const TokenRecord&) const = default;
};

struct DirectoryState {
  std::map<std::string, UserRecord, std::less<>> users;    // by id, removed ones too
  std::map<std::string, TokenRecord, std::less<>> tokens;  // by token id, revoked ones too
  uint64_t last_seq = 0;

  bool operator==(const DirectoryState&) const = default;
};

// Folds one event of the directory's stream into `state`. Events of other kinds are ignored.
void Apply(DirectoryState& state, const fb::Event& event);

}  // namespace assent::engine
