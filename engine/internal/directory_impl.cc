#include "engine/internal/directory_impl.h"

#include <algorithm>
#include <chrono>
#include <set>

#include <openssl/rand.h>

#include "engine/internal/directory_stream.h"
#include "engine/internal/identity_names.h"
#include "schemas/event_generated.h"
#include "storage/event_log.h"

namespace assent::engine {
namespace {

// Enough for any team's structure; a bound so one user's record stays small.
constexpr size_t kMaxGroupsPerUser = 64;
// A lifetime beyond this is a typo, and a larger one could overflow the expiry time.
constexpr std::chrono::seconds kMaxTokenLifetime = std::chrono::hours(24 * 366 * 10);

DirectoryOptions WithDefaults(DirectoryOptions options) {
  if (!options.now_ms) {
    options.now_ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  if (!options.random_bytes) {
    options.random_bytes = [](uint8_t* out, size_t size) {
      return RAND_bytes(out, static_cast<int>(size)) == 1;
    };
  }
  return options;
}

// Checks each group name, then sorts them and drops repeats.
Result<std::vector<std::string>> NormalizeGroups(std::vector<std::string> groups) {
  for (const std::string& group : groups) {
    if (Status valid = CheckName("group name", group); !valid.ok()) return valid;
  }
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  if (groups.size() > kMaxGroupsPerUser) {
    return Status::InvalidArgument("a user may be in at most " +
                                   std::to_string(kMaxGroupsPerUser) + " groups");
  }
  return groups;
}

Status CheckNewToken(const NewToken& token) {
  if (Status valid = CheckName("token name", token.name); !valid.ok()) return valid;
  if (token.lifetime && (token.lifetime->count() <= 0 || *token.lifetime > kMaxTokenLifetime)) {
    return Status::InvalidArgument("a token's lifetime must be above 0 and at most 10 years");
  }
  return Status::Ok();
}

Status UserNotFound(std::string_view user_id) {
  return Status::NotFound("user " + std::string(user_id) + " not found");
}

}  // namespace

Result<std::unique_ptr<Directory>> Directory::Open(storage::EventLog& log,
                                                   DirectoryOptions options) {
  std::vector<std::string> records;
  if (Status read = log.ReadRun(kDirectoryStreamId, &records); !read.ok()) {
    return Status::Corruption("the directory of users and tokens cannot be read: " +
                              read.ToString());
  }
  DirectoryState state;
  for (const std::string& record : records) Apply(state, *fb::GetEvent(record.data()));
  return std::unique_ptr<Directory>(
      new DirectoryImpl(log, WithDefaults(std::move(options)), std::move(state)));
}

DirectoryImpl::DirectoryImpl(storage::EventLog& log, DirectoryOptions options,
                             DirectoryState state)
    : options_(std::move(options)),
      state_(std::move(state)),
      changes_(log, std::string(kDirectoryStreamId), [this](const std::string& event) {
        std::unique_lock<std::shared_mutex> lock(state_mu_);
        Apply(state_, *fb::GetEvent(event.data()));
      }) {}

std::optional<Principal> DirectoryImpl::Authenticate(std::string_view token) const {
  std::optional<TokenText> text = ParseTokenText(token);
  if (!text) return std::nullopt;
  int64_t now_ms = options_.now_ms();
  std::shared_lock<std::shared_mutex> lock(state_mu_);
  auto found = state_.tokens.find(text->token_id);
  if (found == state_.tokens.end()) return std::nullopt;
  const TokenRecord& record = found->second;
  if (record.view.revoked_at_ms) return std::nullopt;
  if (record.view.expires_at_ms && now_ms >= *record.view.expires_at_ms) return std::nullopt;
  const UserRecord* user = LiveUser(record.view.user_id);
  if (user == nullptr || !SecretMatches(text->secret, record.secret_sha256)) return std::nullopt;
  return Principal{user->view.id, user->view.groups, user->view.admin, user->view.service};
}

template <typename T>
void DirectoryImpl::Submit(const Principal& by, Decider<T> decide, Done<T> done) {
  changes_.Submit([this, by = by.id, decide = std::move(decide),
                   done = std::move(done)]() -> ChangeQueue::Change {
    Result<Decided<T>> decided = Status::Unavailable("not decided");
    {
      std::shared_lock<std::shared_mutex> lock(state_mu_);
      decided = decide(EventStamp{state_.last_seq + 1, options_.now_ms(), by});
    }
    if (!decided.ok()) {
      done(decided.status());
      return {};
    }
    return {std::move(decided->events), [done, answer = std::move(decided->answer)](Status s) {
              if (!s.ok()) return done(std::move(s));
              done(answer);
            }};
  });
}

Result<DirectoryImpl::Minted> DirectoryImpl::MintToken(const EventStamp& stamp,
                                                       const std::string& user_id,
                                                       const NewToken& token) const {
  uint8_t id_bytes[kTokenIdBytes];
  uint8_t secret_bytes[kTokenSecretBytes];
  std::string token_id;
  do {  // ids are 64 random bits: a repeat is next to impossible, but would take over a token
    if (!options_.random_bytes(id_bytes, sizeof(id_bytes))) {
      return Status::Unavailable("no random bytes for a token id");
    }
    token_id = Hex(id_bytes, sizeof(id_bytes));
  } while (state_.tokens.contains(token_id));
  if (!options_.random_bytes(secret_bytes, sizeof(secret_bytes))) {
    return Status::Unavailable("no random bytes for a token secret");
  }
  std::string secret = Hex(secret_bytes, sizeof(secret_bytes));
  std::optional<SecretHash> secret_hash = HashSecret(secret);
  if (!secret_hash) return Status::Unavailable("cannot hash a token secret");
  int64_t expires_at_ms =
      token.lifetime ? stamp.at_ms + std::chrono::milliseconds(*token.lifetime).count() : 0;
  Minted minted;
  minted.issued.token = TokenView{token_id, user_id, token.name, stamp.at_ms, std::nullopt,
                                  std::nullopt};
  if (expires_at_ms != 0) minted.issued.token.expires_at_ms = expires_at_ms;
  minted.issued.text = FormatTokenText(token_id, secret);
  minted.event = EncodeTokenIssued(stamp, token_id, user_id, token.name, *secret_hash,
                                   expires_at_ms);
  return minted;
}

const UserRecord* DirectoryImpl::LiveUser(std::string_view user_id) const {
  auto user = state_.users.find(user_id);
  return user == state_.users.end() || user->second.removed ? nullptr : &user->second;
}

void DirectoryImpl::AddUser(const Principal& by, NewUser user, NewToken first_token,
                            Done<CreatedUser> done) {
  Status valid = CheckName("user id", user.id);
  if (valid.ok() && user.id == kBootstrapAdminId) {
    valid = Status::InvalidArgument("the user id \"admin\" is the bootstrap admin token's");
  }
  if (valid.ok()) valid = CheckNewToken(first_token);
  Result<std::vector<std::string>> groups = NormalizeGroups(std::move(user.groups));
  if (valid.ok() && !groups.ok()) valid = groups.status();
  if (!valid.ok()) return done(valid);
  UserView view{std::move(user.id), std::move(groups).value(), user.service, user.admin};
  Submit<CreatedUser>(
      by,
      [this, view = std::move(view),
       token = std::move(first_token)](const EventStamp& next) -> Result<Decided<CreatedUser>> {
        if (auto taken = state_.users.find(view.id); taken != state_.users.end()) {
          return Status::Conflict("user " + view.id + (taken->second.removed
                                                           ? " was removed; ids are never reused"
                                                           : " already exists"));
        }
        EventStamp token_stamp = next;
        ++token_stamp.seq;
        Result<Minted> minted = MintToken(token_stamp, view.id, token);
        if (!minted.ok()) return minted.status();
        return Decided<CreatedUser>{{EncodeUserAdded(next, view), std::move(minted->event)},
                                    CreatedUser{view, std::move(minted->issued)}};
      },
      std::move(done));
}

void DirectoryImpl::SetGroups(const Principal& by, std::string user_id,
                              std::vector<std::string> groups, Done<UserView> done) {
  Result<std::vector<std::string>> normalized = NormalizeGroups(std::move(groups));
  if (!normalized.ok()) return done(normalized.status());
  Submit<UserView>(
      by,
      [this, user_id = std::move(user_id), groups = std::move(normalized).value()](
          const EventStamp& next) -> Result<Decided<UserView>> {
        const UserRecord* user = LiveUser(user_id);
        if (user == nullptr) return UserNotFound(user_id);
        UserView changed = user->view;
        changed.groups = groups;
        return Decided<UserView>{{EncodeUserGroupsChanged(next, user_id, groups)},
                                 std::move(changed)};
      },
      std::move(done));
}

void DirectoryImpl::RemoveUser(const Principal& by, std::string user_id, Done<UserView> done) {
  Submit<UserView>(
      by,
      [this, user_id = std::move(user_id)](const EventStamp& next) -> Result<Decided<UserView>> {
        const UserRecord* user = LiveUser(user_id);
        if (user == nullptr) return UserNotFound(user_id);
        return Decided<UserView>{{EncodeUserRemoved(next, user_id)}, user->view};
      },
      std::move(done));
}

void DirectoryImpl::IssueToken(const Principal& by, std::string user_id, NewToken token,
                               Done<IssuedToken> done) {
  if (Status valid = CheckNewToken(token); !valid.ok()) return done(valid);
  Submit<IssuedToken>(
      by,
      [this, user_id = std::move(user_id),
       token = std::move(token)](const EventStamp& next) -> Result<Decided<IssuedToken>> {
        if (LiveUser(user_id) == nullptr) return UserNotFound(user_id);
        Result<Minted> minted = MintToken(next, user_id, token);
        if (!minted.ok()) return minted.status();
        return Decided<IssuedToken>{{std::move(minted->event)}, std::move(minted->issued)};
      },
      std::move(done));
}

void DirectoryImpl::RevokeToken(const Principal& by, std::string token_id,
                                Done<TokenView> done) {
  Submit<TokenView>(
      by,
      [this, token_id = std::move(token_id)](const EventStamp& next) -> Result<Decided<TokenView>> {
        auto token = state_.tokens.find(token_id);
        if (token == state_.tokens.end()) {
          return Status::NotFound("token " + token_id + " not found");
        }
        if (token->second.view.revoked_at_ms) {
          return Status::Conflict("token " + token_id + " is already revoked");
        }
        TokenView revoked = token->second.view;
        revoked.revoked_at_ms = next.at_ms;
        return Decided<TokenView>{{EncodeTokenRevoked(next, token_id)}, std::move(revoked)};
      },
      std::move(done));
}

Result<UserView> DirectoryImpl::GetUser(std::string_view user_id) const {
  std::shared_lock<std::shared_mutex> lock(state_mu_);
  const UserRecord* user = LiveUser(user_id);
  if (user == nullptr) return UserNotFound(user_id);
  return user->view;
}

std::vector<UserView> DirectoryImpl::ListUsers() const {
  std::shared_lock<std::shared_mutex> lock(state_mu_);
  std::vector<UserView> users;
  for (const auto& [id, user] : state_.users) {
    if (!user.removed) users.push_back(user.view);
  }
  return users;
}

Result<std::vector<TokenView>> DirectoryImpl::ListTokens(std::string_view user_id) const {
  std::shared_lock<std::shared_mutex> lock(state_mu_);
  if (LiveUser(user_id) == nullptr) return UserNotFound(user_id);
  std::vector<TokenView> tokens;
  for (const auto& [id, token] : state_.tokens) {
    if (token.view.user_id == user_id) tokens.push_back(token.view);
  }
  std::stable_sort(tokens.begin(), tokens.end(), [](const TokenView& a, const TokenView& b) {
    return a.created_at_ms < b.created_at_ms;
  });
  return tokens;
}

std::vector<GroupView> DirectoryImpl::ListGroups() const {
  std::shared_lock<std::shared_mutex> lock(state_mu_);
  std::map<std::string, std::vector<std::string>> members;
  for (const auto& [id, user] : state_.users) {
    if (user.removed) continue;
    for (const std::string& group : user.view.groups) members[group].push_back(id);
  }
  std::vector<GroupView> groups;
  for (auto& [name, ids] : members) groups.push_back(GroupView{name, std::move(ids)});
  return groups;
}

DirectoryState DirectoryImpl::State() const {
  std::shared_lock<std::shared_mutex> lock(state_mu_);
  return state_;
}

}  // namespace assent::engine
