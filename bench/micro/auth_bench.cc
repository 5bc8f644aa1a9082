// What authenticating a request costs: the bearer header through api::Authenticator (the
// throttle's check, then the admin token's compare or the directory's lookup, SHA-256 of the
// secret and its constant-time compare, and the Principal copied out), for the bootstrap admin
// token and for a user's token among N users, and a wrong secret. Threads(2) shows the
// directory's shared lock under the server's two io threads.
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "api/auth.h"
#include "engine/directory.h"
#include "storage/mem_event_log.h"

namespace assent::api {
namespace {

constexpr char kAdminToken[] = "bench-admin-token-0123456789abcdef0123456789abcdef";

// A directory of `users` users (two groups each), and one of their tokens.
struct Fixture {
  explicit Fixture(size_t users) {
    directory = std::move(engine::Directory::Open(log)).value();
    std::vector<std::future<Result<engine::CreatedUser>>> added;
    for (size_t i = 0; i < users; ++i) {
      auto promise = std::make_shared<std::promise<Result<engine::CreatedUser>>>();
      added.push_back(promise->get_future());
      directory->AddUser(engine::Principal{"admin", {}, true},
                         engine::NewUser{"user-" + std::to_string(i), {"finance", "ops"}},
                         engine::NewToken{"default", std::nullopt},
                         [promise](Result<engine::CreatedUser> created) {
                           promise->set_value(std::move(created));
                         });
    }
    for (auto& future : added) {
      Result<engine::CreatedUser> created = future.get();
      if (created.ok()) token = created->token.text;
    }
    auth = std::make_unique<Authenticator>(kAdminToken, *directory,
                                           AuthThrottle::Options{.burst = 0});
  }

  storage::MemEventLog log;
  std::unique_ptr<engine::Directory> directory;
  std::unique_ptr<Authenticator> auth;
  std::string token;  // the last user's
};

// Shared by the runs of one size (and the threads of one run); destroyed by main().
std::map<size_t, std::unique_ptr<Fixture>> fixtures;
std::mutex fixtures_mutex;

Fixture& SharedFixture(size_t users) {
  std::lock_guard<std::mutex> lock(fixtures_mutex);
  auto& fixture = fixtures[users];
  if (!fixture) fixture = std::make_unique<Fixture>(users);
  return *fixture;
}

void Authorize(benchmark::State& state, Fixture& fixture, const std::string& header,
               bool expect_principal) {
  const auto client = boost::asio::ip::make_address("127.0.0.1");
  for (auto _ : state) {
    AuthResult result = fixture.auth->CheckAuthorization(header, client);
    if (result.principal.has_value() != expect_principal) {
      state.SkipWithError("unexpected authentication outcome");
      break;
    }
    benchmark::DoNotOptimize(result);
  }
}

void BM_AuthorizeAdminToken(benchmark::State& state) {
  Fixture& fixture = SharedFixture(static_cast<size_t>(state.range(0)));
  Authorize(state, fixture, std::string("Bearer ") + kAdminToken, true);
}
BENCHMARK(BM_AuthorizeAdminToken)->Arg(1000);

void BM_AuthorizeUserToken(benchmark::State& state) {
  Fixture& fixture = SharedFixture(static_cast<size_t>(state.range(0)));
  Authorize(state, fixture, "Bearer " + fixture.token, true);
}
BENCHMARK(BM_AuthorizeUserToken)->Arg(10)->Arg(1000)->Arg(10000);
BENCHMARK(BM_AuthorizeUserToken)->Arg(1000)->Threads(2);

void BM_AuthorizeWrongSecret(benchmark::State& state) {
  Fixture& fixture = SharedFixture(static_cast<size_t>(state.range(0)));
  std::string wrong = fixture.token;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  Authorize(state, fixture, "Bearer " + wrong, false);
}
BENCHMARK(BM_AuthorizeWrongSecret)->Arg(1000);

}  // namespace
}  // namespace assent::api

// The fixtures go before main returns: their logs' commit threads, which minted the tokens, must
// exit while OpenSSL is still up, or OpenSSL's exit handler has already run and their random
// generators leak.
int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  assent::api::fixtures.clear();
  return 0;
}
