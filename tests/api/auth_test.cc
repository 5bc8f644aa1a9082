// Authenticator (api/auth.h): the bootstrap admin token and the directory's tokens both name a
// principal; anything else is refused and counts against the address's throttle.
#include "api/auth.h"

#include <chrono>
#include <future>

#include <gtest/gtest.h>

#include "tests/api/test_directory.h"

namespace assent::api {
namespace {

using Address = boost::asio::ip::address;

class AuthenticatorTest : public ::testing::Test {
 protected:
  std::string AddUser(engine::NewUser user) {
    std::promise<Result<engine::CreatedUser>> promise;
    directory_->AddUser(engine::Principal{"admin", {}, true}, std::move(user),
                        engine::NewToken{"default", std::nullopt},
                        [&](Result<engine::CreatedUser> created) {
                          promise.set_value(std::move(created));
                        });
    std::future<Result<engine::CreatedUser>> future = promise.get_future();
    EXPECT_EQ(future.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    Result<engine::CreatedUser> created = future.get();
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->token.text : "";
  }

  testing::TestDirectory directory_;
  Authenticator auth_{"the-admin-token", *directory_, {.burst = 3}};
  Address client_ = boost::asio::ip::make_address("192.0.2.7");
};

TEST_F(AuthenticatorTest, TheBootstrapTokenIsTheAdmin) {
  AuthResult result = auth_.CheckAuthorization("Bearer the-admin-token", client_);
  ASSERT_TRUE(result.principal);
  EXPECT_EQ(*result.principal, (engine::Principal{"admin", {}, true, false}));
}

TEST_F(AuthenticatorTest, ADirectoryTokenIsItsUser) {
  std::string token = AddUser(engine::NewUser{"ci", {"deploy"}, /*service=*/true, false});
  AuthResult result = auth_.CheckToken(token, client_);
  ASSERT_TRUE(result.principal);
  EXPECT_EQ(*result.principal, (engine::Principal{"ci", {"deploy"}, false, true}));
}

TEST_F(AuthenticatorTest, WrongTokensAreRefusedAndThrottled) {
  std::string token = AddUser(engine::NewUser{"alice"});
  std::string wrong = token;
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';
  for (const std::string& guess : {wrong, std::string("the-admin-tokem"), std::string("ast_")}) {
    AuthResult result = auth_.CheckToken(guess, client_);
    EXPECT_FALSE(result.principal) << guess;
    EXPECT_EQ(result.retry_after.count(), 0) << guess;
  }
  AuthResult throttled = auth_.CheckToken(token, client_);
  EXPECT_FALSE(throttled.principal) << "a throttled address is refused before any compare";
  EXPECT_GT(throttled.retry_after.count(), 0);
  EXPECT_TRUE(auth_.CheckToken(token, boost::asio::ip::make_address("192.0.2.8")).principal);
}

}  // namespace
}  // namespace assent::api
