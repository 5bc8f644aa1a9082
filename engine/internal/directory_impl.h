// DirectoryImpl: the Directory (engine/directory.h) over one event log. Its state is a
// DirectoryState behind a reader-writer lock: authentication and queries share it, only the
// fold (run by the ChangeQueue once a change is durable) takes it exclusively.
#pragma once

#include <memory>
#include <shared_mutex>

#include "engine/directory.h"
#include "engine/internal/change_queue.h"
#include "engine/internal/directory_events.h"
#include "engine/internal/directory_state.h"

namespace assent::engine {

class DirectoryImpl final : public Directory {
 public:
  // `state`: the fold of the directory's stream as `log` holds it.
  DirectoryImpl(storage::EventLog& log, DirectoryOptions options, DirectoryState state);

  std::optional<Principal> Authenticate(std::string_view token) const override;

  void AddUser(const Principal& by, NewUser user, NewToken first_token,
               Done<CreatedUser> done) override;
  void SetGroups(const Principal& by, std::string user_id, std::vector<std::string> groups,
                 Done<UserView> done) override;
  void RemoveUser(const Principal& by, std::string user_id, Done<UserView> done) override;
  void IssueToken(const Principal& by, std::string user_id, NewToken token,
                  Done<IssuedToken> done) override;
  void RevokeToken(const Principal& by, std::string token_id, Done<TokenView> done) override;

  Result<UserView> GetUser(std::string_view user_id) const override;
  std::vector<UserView> ListUsers() const override;
  Result<std::vector<TokenView>> ListTokens(std::string_view user_id) const override;
  std::vector<GroupView> ListGroups() const override;

  // A copy of the state, for the replay-equality check.
  DirectoryState State() const;

 private:
  // What a change decided: its events and, once they are durable, the answer.
  template <typename T>
  struct Decided {
    std::vector<std::string> events;
    T answer;
  };
  template <typename T>
  using Decider = std::function<Result<Decided<T>>(const EventStamp& next)>;
  // Queues a change made by `by`: `decide` runs in turn, with the state locked for reading
  // and the stamp of the first event it may write; its refusal or its answer goes to `done`.
  template <typename T>
  void Submit(const Principal& by, Decider<T> decide, Done<T> done);

  // A new token for `user_id` as of `now_ms`, with the event that issues it; kUnavailable
  // when no random bytes could be had. REQUIRES: state_mu_ held (shared).
  struct Minted {
    IssuedToken issued;
    std::string event;
  };
  Result<Minted> MintToken(const EventStamp& stamp, const std::string& user_id,
                           const NewToken& token) const;
  // The live (not removed) user, or nullptr. REQUIRES: state_mu_ held.
  const UserRecord* LiveUser(std::string_view user_id) const;

  DirectoryOptions options_;
  mutable std::shared_mutex state_mu_;
  DirectoryState state_;
  ChangeQueue changes_;  // last: destroyed first, waiting for the change under way
};

}  // namespace assent::engine
