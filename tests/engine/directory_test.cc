// The directory of users and tokens (engine/directory.h) over a real in-memory log: what each
// change does, how tokens are checked (hash only, expiry on an injected clock, revocation), that
// changes are durable before they are answered, and that the live state equals the fold of the
// stream after a reopen (replay equality, field by field).
#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "engine/directory.h"
#include "engine/engine.h"
#include "engine/internal/directory_impl.h"
#include "engine/internal/directory_stream.h"
#include "schemas/event_generated.h"
#include "storage/mem_event_log.h"

namespace assent::engine {
namespace {

constexpr auto kWait = std::chrono::seconds(20);
constexpr int64_t kStart = 1'800'000'000'000;
const Principal kAdmin{"admin", {}, true, false};

// Runs one directory change and waits (bounded) for its answer.
template <typename T, typename Start>
Result<T> Await(Start start) {
  auto promise = std::make_shared<std::promise<Result<T>>>();
  std::future<Result<T>> future = promise->get_future();
  start([promise](Result<T> result) { promise->set_value(std::move(result)); });
  if (future.wait_for(kWait) != std::future_status::ready) {
    ADD_FAILURE() << "directory change not answered within 20 s";
    return Status::Unavailable("timed out");
  }
  return future.get();
}

class DirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  // At the end of every test: the live state equals the fold of what the log holds.
  void TearDown() override {
    DirectoryState live = Impl().State();
    directory_.reset();
    Reopen();
    EXPECT_EQ(Impl().State(), live) << "the live directory differs from its replay";
  }

  void Reopen() {
    directory_.reset();
    DirectoryOptions options;
    options.now_ms = [this] { return now_ms_.load(); };
    Result<std::unique_ptr<Directory>> opened = Directory::Open(log_, options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    directory_ = std::move(opened).value();
  }

  DirectoryImpl& Impl() { return static_cast<DirectoryImpl&>(*directory_); }

  Result<CreatedUser> Add(std::string id, std::vector<std::string> groups = {},
                          std::optional<std::chrono::seconds> lifetime = std::nullopt,
                          bool service = false) {
    return Await<CreatedUser>([&](auto done) {
      directory_->AddUser(kAdmin, NewUser{id, groups, service, false},
                          NewToken{"default", lifetime}, done);
    });
  }

  std::vector<std::string> StreamRecords() {
    std::vector<std::string> records;
    EXPECT_TRUE(log_.ReadRun(kDirectoryStreamId, &records).ok());
    return records;
  }

  std::atomic<int64_t> now_ms_{kStart};
  storage::MemEventLog log_;
  std::unique_ptr<Directory> directory_;
};

TEST_F(DirectoryTest, AddedUsersTokenAuthenticatesAsThatUser) {
  Result<CreatedUser> alice = Add("alice", {"ops", "finance", "ops"});
  ASSERT_TRUE(alice.ok()) << alice.status().ToString();
  EXPECT_EQ(alice->user.groups, (std::vector<std::string>{"finance", "ops"}));
  EXPECT_EQ(alice->token.token.name, "default");
  EXPECT_EQ(alice->token.token.user_id, "alice");
  EXPECT_EQ(alice->token.text.size(), 4u + 16 + 1 + 64);

  std::optional<Principal> principal = directory_->Authenticate(alice->token.text);
  ASSERT_TRUE(principal);
  EXPECT_EQ(*principal, (Principal{"alice", {"finance", "ops"}, false, false}));

  std::string wrong_secret = alice->token.text;
  wrong_secret.back() = wrong_secret.back() == '0' ? '1' : '0';
  EXPECT_FALSE(directory_->Authenticate(wrong_secret));
  EXPECT_FALSE(directory_->Authenticate(""));
  EXPECT_FALSE(
      directory_->Authenticate("ast_" + std::string(16, 'g') + "_" + std::string(64, '0')));
  EXPECT_FALSE(directory_->Authenticate(alice->token.text + "0"));
}

TEST_F(DirectoryTest, ServiceAccountsAreMarkedInTheirPrincipal) {
  Result<CreatedUser> robot = Add("ci-bot", {}, std::nullopt, /*service=*/true);
  ASSERT_TRUE(robot.ok());
  std::optional<Principal> principal = directory_->Authenticate(robot->token.text);
  ASSERT_TRUE(principal);
  EXPECT_TRUE(principal->service);
  EXPECT_FALSE(principal->admin);
}

TEST_F(DirectoryTest, OnlyTheSecretsHashIsStored) {
  Result<CreatedUser> alice = Add("alice");
  ASSERT_TRUE(alice.ok());
  std::string secret = alice->token.text.substr(4 + 16 + 1);
  std::vector<std::string> records = StreamRecords();
  for (const std::string& record : records) {
    EXPECT_EQ(record.find(secret), std::string::npos) << "the secret is in the log";
  }
  const fb::TokenIssued* issued = fb::GetEvent(records.back().data())->body_as_TokenIssued();
  ASSERT_NE(issued, nullptr);
  EXPECT_EQ(issued->secret_sha256()->size(), 32u);
}

TEST_F(DirectoryTest, ATokenExpiresOnTheClock) {
  Result<CreatedUser> alice = Add("alice", {}, std::chrono::hours(24 * 90));
  ASSERT_TRUE(alice.ok());
  int64_t expires = kStart + int64_t{90} * 24 * 3600 * 1000;
  EXPECT_EQ(alice->token.token.expires_at_ms, expires);
  now_ms_ = expires - 1;
  EXPECT_TRUE(directory_->Authenticate(alice->token.text));
  now_ms_ = expires;
  EXPECT_FALSE(directory_->Authenticate(alice->token.text));
}

TEST_F(DirectoryTest, ARevokedTokenStopsWorkingAndOthersGoOn) {
  Result<CreatedUser> alice = Add("alice");
  ASSERT_TRUE(alice.ok());
  now_ms_ = kStart + 1;
  Result<IssuedToken> laptop = Await<IssuedToken>([&](auto done) {
    directory_->IssueToken(kAdmin, "alice", NewToken{"laptop", std::nullopt}, done);
  });
  ASSERT_TRUE(laptop.ok()) << laptop.status().ToString();
  EXPECT_NE(laptop->token.id, alice->token.token.id);

  now_ms_ = kStart + 5;
  Result<TokenView> revoked = Await<TokenView>(
      [&](auto done) { directory_->RevokeToken(kAdmin, alice->token.token.id, done); });
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->revoked_at_ms, kStart + 5);
  EXPECT_FALSE(directory_->Authenticate(alice->token.text));
  EXPECT_TRUE(directory_->Authenticate(laptop->text));

  Result<TokenView> again = Await<TokenView>(
      [&](auto done) { directory_->RevokeToken(kAdmin, alice->token.token.id, done); });
  EXPECT_EQ(again.status().code(), StatusCode::kConflict);
  Result<TokenView> unknown = Await<TokenView>(
      [&](auto done) { directory_->RevokeToken(kAdmin, "0000000000000000", done); });
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);

  Result<std::vector<TokenView>> tokens = directory_->ListTokens("alice");
  ASSERT_TRUE(tokens.ok());
  ASSERT_EQ(tokens->size(), 2u);
  EXPECT_EQ((*tokens)[0].revoked_at_ms, kStart + 5);
  EXPECT_FALSE((*tokens)[1].revoked_at_ms);
}

TEST_F(DirectoryTest, ARemovedUsersTokensStopAndTheirIdIsNeverReused) {
  Result<CreatedUser> alice = Add("alice", {"finance"});
  ASSERT_TRUE(alice.ok());
  Result<UserView> removed =
      Await<UserView>([&](auto done) { directory_->RemoveUser(kAdmin, "alice", done); });
  ASSERT_TRUE(removed.ok());
  EXPECT_FALSE(directory_->Authenticate(alice->token.text));
  EXPECT_EQ(directory_->GetUser("alice").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(directory_->ListUsers().empty());
  EXPECT_TRUE(directory_->ListGroups().empty());
  EXPECT_TRUE(Impl().State().tokens.begin()->second.view.revoked_at_ms);

  EXPECT_EQ(Add("alice").status().code(), StatusCode::kConflict);
  Result<UserView> twice =
      Await<UserView>([&](auto done) { directory_->RemoveUser(kAdmin, "alice", done); });
  EXPECT_EQ(twice.status().code(), StatusCode::kNotFound);
  Result<IssuedToken> token = Await<IssuedToken>([&](auto done) {
    directory_->IssueToken(kAdmin, "alice", NewToken{"again", std::nullopt}, done);
  });
  EXPECT_EQ(token.status().code(), StatusCode::kNotFound);
}

TEST_F(DirectoryTest, ChangedGroupsShowInThePrincipalAndTheGroupList) {
  Result<CreatedUser> alice = Add("alice", {"finance"});
  ASSERT_TRUE(Add("bob", {"finance"}).ok());
  Result<UserView> changed = Await<UserView>([&](auto done) {
    directory_->SetGroups(kAdmin, "alice", {"ops", "audit"}, done);
  });
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->groups, (std::vector<std::string>{"audit", "ops"}));
  EXPECT_EQ(directory_->Authenticate(alice->token.text)->groups, changed->groups);
  std::vector<GroupView> groups = directory_->ListGroups();
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].name, "audit");
  EXPECT_EQ(groups[1].name, "finance");
  EXPECT_EQ(groups[1].members, (std::vector<std::string>{"bob"}));
  EXPECT_EQ(groups[2].members, (std::vector<std::string>{"alice"}));
}

TEST_F(DirectoryTest, BadNamesAndLifetimesAreRefusedAndNothingIsWritten) {
  for (const std::string& id :
       std::vector<std::string>{"", "Alice", "-alice", "al ice", "admin", std::string(65, 'a')}) {
    EXPECT_EQ(Add(id).status().code(), StatusCode::kInvalidArgument) << id;
  }
  EXPECT_EQ(Add("alice", {"Finance"}).status().code(), StatusCode::kInvalidArgument);
  std::vector<std::string> many;
  for (int i = 0; i < 65; ++i) many.push_back("g" + std::to_string(i));
  EXPECT_EQ(Add("alice", many).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Add("alice", {}, std::chrono::seconds(0)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Add("alice", {}, std::chrono::hours(24 * 366 * 11)).status().code(),
            StatusCode::kInvalidArgument);
  Result<CreatedUser> bad_token_name = Await<CreatedUser>([&](auto done) {
    directory_->AddUser(kAdmin, NewUser{"alice"}, NewToken{"My Laptop", std::nullopt}, done);
  });
  EXPECT_EQ(bad_token_name.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(StreamRecords().empty());
  EXPECT_TRUE(Add(std::string(64, 'a')).ok());
}

TEST_F(DirectoryTest, EveryChangeIsAnEventNamingWhoAndWhen) {
  Principal root{"root", {}, true, false};
  now_ms_ = kStart + 1;
  Result<CreatedUser> alice = Await<CreatedUser>([&](auto done) {
    directory_->AddUser(root, NewUser{"alice", {"finance"}}, NewToken{"default", std::nullopt},
                        done);
  });
  ASSERT_TRUE(alice.ok());
  now_ms_ = kStart + 2;
  ASSERT_TRUE(Await<UserView>([&](auto done) {
                directory_->SetGroups(root, "alice", {"ops"}, done);
              }).ok());
  now_ms_ = kStart + 3;
  ASSERT_TRUE(Await<TokenView>([&](auto done) {
                directory_->RevokeToken(root, alice->token.token.id, done);
              }).ok());
  now_ms_ = kStart + 4;
  ASSERT_TRUE(
      Await<UserView>([&](auto done) { directory_->RemoveUser(root, "alice", done); }).ok());

  std::vector<std::string> records = StreamRecords();
  ASSERT_EQ(records.size(), 5u);
  const fb::Body kTypes[] = {fb::Body::UserAdded, fb::Body::TokenIssued,
                             fb::Body::UserGroupsChanged, fb::Body::TokenRevoked,
                             fb::Body::UserRemoved};
  const int64_t kTimes[] = {kStart + 1, kStart + 1, kStart + 2, kStart + 3, kStart + 4};
  for (size_t i = 0; i < records.size(); ++i) {
    const fb::Event* event = fb::GetEvent(records[i].data());
    EXPECT_EQ(event->body_type(), kTypes[i]) << i;
    EXPECT_EQ(event->seq(), i + 1);
    EXPECT_EQ(event->at_ms(), kTimes[i]) << i;
    EXPECT_EQ(event->run_id()->string_view(), kDirectoryStreamId);
  }
  EXPECT_EQ(fb::GetEvent(records[0].data())->body_as_UserAdded()->by()->str(), "root");
  EXPECT_EQ(fb::GetEvent(records[1].data())->body_as_TokenIssued()->by()->str(), "root");
  EXPECT_EQ(fb::GetEvent(records[2].data())->body_as_UserGroupsChanged()->by()->str(), "root");
  EXPECT_EQ(fb::GetEvent(records[3].data())->body_as_TokenRevoked()->by()->str(), "root");
  EXPECT_EQ(fb::GetEvent(records[4].data())->body_as_UserRemoved()->by()->str(), "root");
}

TEST_F(DirectoryTest, AFailedWriteChangesNothingAndTheNextChangeFollowsOn) {
  log_.FailNextWrite(Status::Unavailable("disk full"));
  EXPECT_EQ(Add("alice").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(directory_->GetUser("alice").status().code(), StatusCode::kNotFound);
  Result<CreatedUser> bob = Add("bob");
  ASSERT_TRUE(bob.ok()) << bob.status().ToString();
  std::vector<std::string> records = StreamRecords();
  EXPECT_EQ(fb::GetEvent(records.front().data())->seq(), 1u);
  EXPECT_TRUE(directory_->Authenticate(bob->token.text));
}

TEST_F(DirectoryTest, ConcurrentChangesAllLandInOrderWithoutGaps) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  std::atomic<int> added{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (Add("u" + std::to_string(t) + "-" + std::to_string(i)).ok()) ++added;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(added.load(), kThreads * kPerThread);
  std::vector<std::string> records = StreamRecords();
  ASSERT_EQ(records.size(), 2u * kThreads * kPerThread);
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(fb::GetEvent(records[i].data())->seq(), i + 1);
  }
}

TEST_F(DirectoryTest, TokensSurviveAReopen) {
  Result<CreatedUser> alice = Add("alice", {"finance"}, std::chrono::hours(1));
  ASSERT_TRUE(alice.ok());
  Reopen();
  EXPECT_EQ(directory_->Authenticate(alice->token.text),
            (Principal{"alice", {"finance"}, false, false}));
  now_ms_ = kStart + 3'600'000;
  EXPECT_FALSE(directory_->Authenticate(alice->token.text));
}

// The directory's stream shares the log with the runs, under an id no run has: the engine
// neither lists it nor serves it as a run.
TEST_F(DirectoryTest, TheEngineDoesNotTakeTheDirectoryForARun) {
  ASSERT_TRUE(Add("alice").ok());
  EngineOptions options;
  options.shards = 1;
  Result<std::unique_ptr<Engine>> engine = Engine::Open(log_, options);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  const Principal admin{.id = "admin", .admin = true};
  EXPECT_EQ((*engine)->GetRun(admin, kDirectoryStreamId).status().code(), StatusCode::kNotFound);
  EXPECT_EQ((*engine)->GetEvents(admin, kDirectoryStreamId).status().code(),
            StatusCode::kNotFound);
  Result<RunPage> runs = (*engine)->ListRuns(admin, RunQuery{.limit = 100});
  ASSERT_TRUE(runs.ok());
  EXPECT_TRUE(runs->runs.empty());
  Result<VerifyReport> report = VerifyLog(log_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->problems.empty());
  EXPECT_EQ(report->identity_changes, 2u);
  (*engine)->Shutdown();
}

}  // namespace
}  // namespace assent::engine
