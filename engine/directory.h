// Directory: the users, service accounts, groups and tokens of one server, and the check that
// turns a token into the Principal (engine/actor.h) behind it.
//
// Event-sourced like the runs: every change (a user added, their groups changed, a user
// removed, a token issued or revoked) is an event in the log's reserved stream "~directory"
// (schemas/event.fbs: UserAdded ... TokenRevoked), naming the principal who made it and, in
// its envelope, when. The directory's state is the fold of that stream, rebuilt on Open and
// kept in memory, so authenticating a token reads no disk. A change is acknowledged only once
// its events are synced, and applied to memory by the same fold that Open runs.
//
// Tokens are shown once, when issued ("ast_<token id>_<secret>", engine/internal/token_text.h):
// only the SHA-256 of the secret is stored, and it is compared in constant time. A token stops
// working when revoked, when it expires, or when its user is removed. A removed user's id stays
// taken for good, so an id in the audit always names one person.
//
// Names (user ids, group names, token names): 1 to 64 characters of a-z, 0-9, '.', '_', '-',
// starting with a letter or a digit. "admin" is the bootstrap admin token's id: no user takes it.
//
// Who may change the directory is the caller's business (the REST API lets admins only): the
// directory records `by` and checks its input. Thread safety: every method may be called from
// any thread. Changes run one at a time in call order; their callbacks run on the log's commit
// thread (or at once on the caller's thread when refused), must be short and must not block.
// The directory must be destroyed before its log; its destructor waits for changes under way.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/actor.h"

namespace assent::storage {
class EventLog;
}

namespace assent::engine {

struct UserView {
  std::string id;
  std::vector<std::string> groups;  // sorted, each once
  bool service = false;             // a machine that starts runs; never decides an approval
  bool admin = false;               // may manage users and tokens

  bool operator==(const UserView&) const = default;
};

// What anyone may know of a token: never its secret or its hash.
struct TokenView {
  std::string id;
  std::string user_id;
  std::string name;
  int64_t created_at_ms = 0;
  std::optional<int64_t> expires_at_ms;  // none: never expires
  std::optional<int64_t> revoked_at_ms;  // set once revoked (or its user removed)

  bool operator==(const TokenView&) const = default;
};

// A token as issued: `text` is what its holder sends, shown this once and never again.
struct IssuedToken {
  TokenView token;
  std::string text;
};

struct GroupView {
  std::string name;
  std::vector<std::string> members;  // user ids, sorted
};

struct NewUser {
  std::string id;
  std::vector<std::string> groups;
  bool service = false;
  bool admin = false;
};

struct NewToken {
  std::string name;
  std::optional<std::chrono::seconds> lifetime;  // none: never expires
};

struct CreatedUser {
  UserView user;
  IssuedToken token;  // the user's first token
};

struct DirectoryOptions {
  // Wall clock, milliseconds since the Unix epoch: stamps changes and decides expiry. Null: the
  // system clock.
  std::function<int64_t()> now_ms = nullptr;
  // Fills `size` bytes with cryptographically strong random bytes; false on failure. Null:
  // OpenSSL's RAND_bytes.
  std::function<bool(uint8_t* out, size_t size)> random_bytes = nullptr;
};

class Directory {
 public:
  template <typename T>
  using Done = std::function<void(Result<T>)>;

  // The directory kept in `log` (which must outlive it). kCorruption when its stream cannot be
  // read: the server then refuses to start rather than forget who may do what.
  static Result<std::unique_ptr<Directory>> Open(storage::EventLog& log,
                                                 DirectoryOptions options = {});
  virtual ~Directory() = default;

  // The principal a token names, or nullopt when it names none: malformed, unknown, revoked,
  // expired, or its user removed. Reads memory only.
  virtual std::optional<Principal> Authenticate(std::string_view token) const = 0;

  // Adds a user with a first token named `first_token.name`. kConflict when the id is taken,
  // also by a removed user; kInvalidArgument for a bad name.
  virtual void AddUser(const Principal& by, NewUser user, NewToken first_token,
                       Done<CreatedUser> done) = 0;
  // Replaces the user's groups. kNotFound for an unknown or removed user.
  virtual void SetGroups(const Principal& by, std::string user_id,
                         std::vector<std::string> groups, Done<UserView> done) = 0;
  // Removes the user and revokes their tokens. kNotFound for an unknown or removed user.
  virtual void RemoveUser(const Principal& by, std::string user_id, Done<UserView> done) = 0;
  virtual void IssueToken(const Principal& by, std::string user_id, NewToken token,
                          Done<IssuedToken> done) = 0;
  // kNotFound for an unknown token; kConflict when it is already revoked.
  virtual void RevokeToken(const Principal& by, std::string token_id,
                           Done<TokenView> done) = 0;

  // Queries, from memory. Removed users are not listed and are kNotFound.
  virtual Result<UserView> GetUser(std::string_view user_id) const = 0;
  virtual std::vector<UserView> ListUsers() const = 0;  // by id
  // The user's tokens, revoked and expired ones too, by creation time.
  virtual Result<std::vector<TokenView>> ListTokens(std::string_view user_id) const = 0;
  virtual std::vector<GroupView> ListGroups() const = 0;  // by name
};

}  // namespace assent::engine
