// The outbound connection pool (engine/internal/http_pool.h) through real calls to a real
// server on 127.0.0.1, which counts the connections it accepts and holds open: calls reuse
// one, stay within the bound however many come at once, cope with a server that closes after
// each response, close idle ones, refuse beyond the queue's bound, and send a request again on
// a fresh connection only when the reused one was closed under it and sending it twice is
// harmless.
#include <condition_variable>
#include <future>
#include <mutex>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/io_threads.h"
#include "engine/internal/http_call.h"
#include "tests/support/http_target.h"

namespace assent::engine {
namespace {

using ::testing::HasSubstr;
using Connections = testing::HttpTarget::Connections;
constexpr auto kLimit = std::chrono::seconds(30);

class HttpPoolTest : public ::testing::Test {
 protected:
  using Answer = std::future<Result<HttpCallResponse>>;

  void UsePool(HttpPoolOptions options) {
    pool_ = std::make_shared<HttpPool>(threads_.io(), options);
  }

  HttpCallRequest Request(const std::string& method = "GET") {
    HttpCallRequest request;
    request.method = method;
    request.url = target_.url("/pay");
    request.timeout = kLimit;
    return request;
  }

  Answer Start(HttpCallRequest request) {
    auto answer = std::make_shared<std::promise<Result<HttpCallResponse>>>();
    Answer future = answer->get_future();
    StartHttpCall(pool_, threads_.io().get_executor(), std::move(request),
                  [answer](Result<HttpCallResponse> result) { answer->set_value(result); });
    return future;
  }

  static Result<HttpCallResponse> Get(Answer& answer) {
    if (answer.wait_for(kLimit) != std::future_status::ready) {
      ADD_FAILURE() << "the call did not finish within 30 s";
      return Status::Unavailable("no answer");
    }
    return answer.get();
  }

  Result<HttpCallResponse> Call(HttpCallRequest request) {
    Answer answer = Start(std::move(request));
    return Get(answer);
  }

  // What the target answers; by default 200.
  std::function<testing::TargetResponse(size_t index)> respond_ = [](size_t) {
    return testing::TargetResponse{200, R"({"paid": true})"};
  };
  testing::HttpTarget target_{[this](const testing::ReceivedRequest&, size_t index) {
    return respond_(index);
  }};
  IoThreads threads_{2};
  std::shared_ptr<HttpPool> pool_ = std::make_shared<HttpPool>(threads_.io(), HttpPoolOptions{});
};

TEST_F(HttpPoolTest, SequentialCallsReuseOneConnection) {
  for (int i = 0; i < 20; ++i) {
    Result<HttpCallResponse> response = Call(Request());
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 200u);
    EXPECT_EQ(response->body, R"({"paid": true})");
  }
  EXPECT_EQ(target_.requests().size(), 20u);
  EXPECT_EQ(target_.connections().accepted, 1u);
}

TEST_F(HttpPoolTest, ConcurrentCallsStayWithinTheBoundAndAllComplete) {
  std::vector<Answer> answers;
  for (int i = 0; i < 200; ++i) {
    HttpCallRequest request = Request("POST");
    request.body = R"({"n": )" + std::to_string(i) + "}";
    request.max_connections = 4;
    answers.push_back(Start(std::move(request)));
  }
  for (Answer& answer : answers) {
    Result<HttpCallResponse> response = Get(answer);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 200u);
  }
  EXPECT_EQ(target_.requests().size(), 200u);
  Connections seen = target_.connections();
  // The first four calls open the four connections at once; the other 196 queue for them.
  EXPECT_EQ(seen.most_open, 4u);
  EXPECT_EQ(seen.accepted, 4u) << "connections were closed and opened again, not reused";
}

TEST_F(HttpPoolTest, TheDefaultBoundHoldsForCallsThatNameNone) {
  UsePool(HttpPoolOptions{.max_connections_per_origin = 2});
  std::vector<Answer> answers;
  for (int i = 0; i < 50; ++i) answers.push_back(Start(Request()));
  for (Answer& answer : answers) ASSERT_TRUE(Get(answer).ok());
  EXPECT_LE(target_.connections().most_open, 2u);
}

TEST_F(HttpPoolTest, AServerThatClosesAfterEachResponseStillWorks) {
  respond_ = [](size_t) {
    return testing::TargetResponse{200, "{}", {{"Connection", "close"}}};
  };
  for (int i = 0; i < 5; ++i) {
    Result<HttpCallResponse> response = Call(Request());
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 200u);
  }
  EXPECT_EQ(target_.connections().accepted, 5u);
  EXPECT_TRUE(target_.WaitForConnections([](const Connections& c) { return c.open == 0; },
                                         kLimit));
}

TEST_F(HttpPoolTest, AnIdleConnectionIsClosedAfterTheIdleTimeout) {
  UsePool(HttpPoolOptions{.idle_timeout = std::chrono::milliseconds(50)});
  ASSERT_TRUE(Call(Request()).ok());
  EXPECT_TRUE(target_.WaitForConnections(
      [](const Connections& c) { return c.accepted == 1 && c.open == 0; }, kLimit))
      << "the idle connection was never closed";
  // The next call opens a new one.
  ASSERT_TRUE(Call(Request()).ok());
  EXPECT_EQ(target_.connections().accepted, 2u);
}

TEST_F(HttpPoolTest, AFullQueueRefusesTheCallWithAClearError) {
  UsePool(HttpPoolOptions{.max_connections_per_origin = 1, .max_queued_per_origin = 2});
  // The first call holds the one connection until the test lets it go.
  std::mutex mutex;
  std::condition_variable changed;
  bool release = false;
  respond_ = [&](size_t) {
    std::unique_lock lock(mutex);
    changed.wait_for(lock, kLimit, [&] { return release; });
    return testing::TargetResponse{200, "{}"};
  };
  std::vector<Answer> answers;
  for (int i = 0; i < 3; ++i) answers.push_back(Start(Request()));  // 1 sent, 2 queued
  Answer refused = Start(Request());
  Result<HttpCallResponse> outcome = Get(refused);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(outcome.status().message(),
              HasSubstr("2 calls already wait for a connection to http://127.0.0.1:" +
                        std::to_string(target_.port())));
  EXPECT_THAT(outcome.status().message(), HasSubstr("--http-max-queued-per-host"));
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  changed.notify_all();
  for (Answer& answer : answers) ASSERT_TRUE(Get(answer).ok());
  EXPECT_EQ(target_.requests().size(), 3u);
  EXPECT_EQ(target_.connections().accepted, 1u);
}

// The server hangs up on the second request, which went over the first call's connection.
class HungUpReusedConnectionTest : public HttpPoolTest {
 protected:
  void SetUp() override {
    respond_ = [](size_t index) {
      testing::TargetResponse answer{200, "{}"};
      answer.hang_up = index == 1;
      return answer;
    };
    ASSERT_TRUE(Call(Request()).ok());
  }
};

TEST_F(HungUpReusedConnectionTest, AnIdempotentRequestIsSentOnceMoreOnAFreshConnection) {
  Result<HttpCallResponse> response = Call(Request("PUT"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(target_.requests().size(), 3u);
  EXPECT_EQ(target_.connections().accepted, 2u);
}

TEST_F(HungUpReusedConnectionTest, APostWithAnIdempotencyKeyIsSentOnceMore) {
  HttpCallRequest request = Request("POST");
  request.headers.emplace_back("Idempotency-Key", "run-1/pay/1");
  Result<HttpCallResponse> response = Call(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(target_.requests().size(), 3u);
}

TEST_F(HungUpReusedConnectionTest, APostWithoutOneIsNotSentAgain) {
  Result<HttpCallResponse> response = Call(Request("POST"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(response.status().message(), HasSubstr("read 127.0.0.1"));
  EXPECT_EQ(target_.requests().size(), 2u);
}

TEST_F(HttpPoolTest, AHangUpOnAFreshConnectionIsNotSentAgain) {
  respond_ = [](size_t) {
    testing::TargetResponse answer;
    answer.hang_up = true;
    return answer;
  };
  Result<HttpCallResponse> response = Call(Request("PUT"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(target_.requests().size(), 1u);
}

TEST_F(HttpPoolTest, ACallAfterStopIsRefused) {
  pool_->Stop();
  Result<HttpCallResponse> response = Call(Request());
  ASSERT_FALSE(response.ok());
  EXPECT_THAT(response.status().message(), HasSubstr("stopping"));
  EXPECT_TRUE(target_.requests().empty());
}

}  // namespace
}  // namespace assent::engine
