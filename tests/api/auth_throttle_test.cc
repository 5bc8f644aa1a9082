#include "api/auth_throttle.h"

#include <gtest/gtest.h>

#include <chrono>

#include "api/auth.h"
#include "tests/api/test_directory.h"

namespace assent::api {
namespace {

using std::chrono::seconds;
using Address = boost::asio::ip::address;

// A clock the test moves by hand.
struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  AuthThrottle::Clock AsClock() {
    return [this] { return now; };
  }
};

TEST(AuthThrottleTest, AfterTheBurstAnAddressWaitsForTheRefill) {
  FakeClock clock;
  AuthThrottle throttle({.burst = 3, .window = seconds(60), .clock = clock.AsClock()});
  Address client = boost::asio::ip::make_address("192.0.2.1");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(throttle.RetryAfter(client), seconds(0)) << i;
    throttle.RecordFailure(client);
  }
  // One try comes back every 20 s (3 per minute).
  EXPECT_EQ(throttle.RetryAfter(client), seconds(20));
  clock.now += seconds(15);
  EXPECT_EQ(throttle.RetryAfter(client), seconds(5));
  clock.now += seconds(5);
  EXPECT_EQ(throttle.RetryAfter(client), seconds(0));
  // Another address was never affected.
  EXPECT_EQ(throttle.RetryAfter(boost::asio::ip::make_address("192.0.2.2")), seconds(0));
}

TEST(AuthThrottleTest, Ipv6AddressesCountPerSlash64) {
  FakeClock clock;
  AuthThrottle throttle({.burst = 2, .window = seconds(60), .clock = clock.AsClock()});
  throttle.RecordFailure(boost::asio::ip::make_address("2001:db8::1"));
  throttle.RecordFailure(boost::asio::ip::make_address("2001:db8::2"));
  EXPECT_GT(throttle.RetryAfter(boost::asio::ip::make_address("2001:db8::ffff")), seconds(0));
  EXPECT_EQ(throttle.RetryAfter(boost::asio::ip::make_address("2001:db8:0:1::1")), seconds(0));
  // An IPv4-mapped address is its IPv4 address.
  throttle.RecordFailure(boost::asio::ip::make_address("::ffff:192.0.2.9"));
  throttle.RecordFailure(boost::asio::ip::make_address("192.0.2.9"));
  EXPECT_GT(throttle.RetryAfter(boost::asio::ip::make_address("192.0.2.9")), seconds(0));
}

TEST(AuthThrottleTest, TheTableStaysBoundedDroppingTheOldestFirst) {
  FakeClock clock;
  AuthThrottle throttle(
      {.burst = 1, .window = seconds(60), .max_addresses = 2, .clock = clock.AsClock()});
  Address first = boost::asio::ip::make_address("192.0.2.1");
  Address second = boost::asio::ip::make_address("192.0.2.2");
  Address third = boost::asio::ip::make_address("192.0.2.3");
  throttle.RecordFailure(first);
  clock.now += seconds(1);
  throttle.RecordFailure(second);
  clock.now += seconds(1);
  throttle.RecordFailure(third);  // the table is full: the oldest entry goes
  EXPECT_EQ(throttle.RetryAfter(first), seconds(0));
  EXPECT_GT(throttle.RetryAfter(second), seconds(0));
  EXPECT_GT(throttle.RetryAfter(third), seconds(0));
}

TEST(AuthThrottleTest, AThrottledAddressIsRefusedEvenWithTheRightToken) {
  FakeClock clock;
  testing::TestDirectory directory;
  Authenticator auth("secret", *directory,
                     {.burst = 1, .window = seconds(60), .clock = clock.AsClock()});
  Address client = boost::asio::ip::make_address("192.0.2.1");
  EXPECT_FALSE(auth.CheckAuthorization("Bearer guess", client).principal);
  AuthResult throttled = auth.CheckAuthorization("Bearer secret", client);
  EXPECT_FALSE(throttled.principal);
  EXPECT_EQ(throttled.retry_after, seconds(60));
  EXPECT_EQ(throttled.Error().status, boost::beast::http::status::too_many_requests);
  EXPECT_EQ(throttled.RetryAfterHeader(), seconds(60));
  clock.now += seconds(60);
  EXPECT_EQ(auth.CheckAuthorization("Bearer secret", client).principal->id, "admin");
  // No header at all is refused but not counted: nothing was guessed.
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(auth.CheckAuthorization("", client).retry_after, seconds(0));
}

}  // namespace
}  // namespace assent::api
