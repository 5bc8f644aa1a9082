// The identity routes (api/identity_routes.h) through RequestHandler, over a fake engine and a
// real directory on an in-memory log: who may call them, what they answer, and that the tokens
// they hand out authenticate every other route as their user.
#include <chrono>
#include <future>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "api/auth.h"
#include "api/router.h"
#include "tests/api/fake_engine.h"
#include "tests/api/test_directory.h"

namespace assent::api {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

constexpr char kAdminToken[] = "bootstrap-admin-token";

class IdentityRoutesTest : public ::testing::Test {
 protected:
  // Sends one request as the holder of `token` and waits (bounded) for the one answer.
  Response Send(http::verb method, std::string target, std::string body = "",
                std::string token = kAdminToken) {
    Request request(method, target, 11);
    request.set(http::field::authorization, "Bearer " + token);
    request.body() = std::move(body);
    request.prepare_payload();
    auto promise = std::make_shared<std::promise<Response>>();
    std::future<Response> answer = promise->get_future();
    handler_.Handle(request, boost::asio::ip::address_v4::loopback(),
                    [promise](Response response) { promise->set_value(std::move(response)); });
    if (answer.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      ADD_FAILURE() << "no answer within 20 s for " << target;
      return Response{};
    }
    return answer.get();
  }

  static json::value Body(const Response& response) {
    boost::system::error_code ec;
    json::value body = json::parse(response.body(), ec);
    EXPECT_FALSE(ec) << "not JSON: " << response.body();
    return body;
  }

  static std::string ErrorCode(const Response& response) {
    json::value body = Body(response);
    const json::value* error = body.is_object() ? body.get_object().if_contains("error") : nullptr;
    return error != nullptr ? std::string(error->at("code").as_string()) : "<none>";
  }

  // Adds a user as the admin; returns their first token.
  std::string AddUser(const std::string& body) {
    Response response = Send(http::verb::post, "/v1/users", body);
    EXPECT_EQ(response.result(), http::status::created) << response.body();
    json::value created = Body(response);
    return created.is_object() ? std::string(created.at("token").at("token").as_string()) : "";
  }

  testing::FakeEngine engine_;
  testing::TestDirectory directory_;
  Authenticator auth_{kAdminToken, *directory_};
  RequestHandler handler_{engine_, *directory_, auth_};
};

TEST_F(IdentityRoutesTest, AddingAUserAnswersTheirFirstTokenOnce) {
  Response response =
      Send(http::verb::post, "/v1/users", R"({"id": "alice", "groups": ["finance"]})");
  ASSERT_EQ(response.result(), http::status::created) << response.body();
  json::object created = Body(response).as_object();
  EXPECT_EQ(created.at("id"), "alice");
  EXPECT_EQ(created.at("groups"), json::array({"finance"}));
  EXPECT_EQ(created.at("service"), false);
  EXPECT_EQ(created.at("admin"), false);
  const json::object& token = created.at("token").as_object();
  EXPECT_EQ(token.at("name"), "default");
  EXPECT_TRUE(token.at("expires_at").is_null());
  std::string text(token.at("token").as_string());
  EXPECT_TRUE(text.starts_with("ast_" + std::string(token.at("id").as_string()) + "_")) << text;

  // Never shown again: not in the user, not in the token list.
  EXPECT_EQ(Send(http::verb::get, "/v1/users/alice").body().find(text), std::string::npos);
  Response tokens = Send(http::verb::get, "/v1/users/alice/tokens");
  EXPECT_EQ(tokens.result(), http::status::ok);
  EXPECT_EQ(tokens.body().find(text.substr(4 + 16 + 1)), std::string::npos) << tokens.body();
  EXPECT_EQ(Body(tokens).at("tokens").as_array().size(), 1u);
  EXPECT_EQ(Send(http::verb::get, "/v1/users").body(),
            R"({"users":[{"id":"alice","groups":["finance"],"service":false,"admin":false}]})");
}

TEST_F(IdentityRoutesTest, AUsersTokenSaysWhoTheyAreAndActsAsThem) {
  std::string token = AddUser(R"({"id": "alice", "groups": ["ops", "finance"]})");
  Response me = Send(http::verb::get, "/v1/me", "", token);
  ASSERT_EQ(me.result(), http::status::ok);
  EXPECT_EQ(me.body(),
            R"({"id":"alice","groups":["finance","ops"],"service":false,"admin":false})");
  EXPECT_EQ(Send(http::verb::get, "/v1/me").body(),
            R"({"id":"admin","groups":[],"service":false,"admin":true})");

  Response decided = Send(http::verb::post, "/v1/approvals/ap-1/decision",
                          R"({"decision": "approve"})", token);
  EXPECT_EQ(decided.result(), http::status::ok);
  ASSERT_EQ(engine_.recorded().decisions.size(), 1u);
  EXPECT_EQ(engine_.recorded().decisions[0].actor.principal,
            (engine::Principal{"alice", {"finance", "ops"}, false, false}))
      << "the whole principal reaches the engine, groups too";
}

TEST_F(IdentityRoutesTest, OnlyAdminsManageIdentities) {
  std::string alice = AddUser(R"({"id": "alice"})");
  std::string robot = AddUser(R"({"id": "ci", "service": true})");
  std::string tokens_of_alice = Body(Send(http::verb::get, "/v1/users/alice/tokens"))
                                    .at("tokens").at(0).at("id").as_string().c_str();
  struct Attempt {
    http::verb method;
    std::string target;
    std::string body;
  };
  const Attempt kAttempts[] = {
      {http::verb::get, "/v1/users", ""},
      {http::verb::post, "/v1/users", R"({"id": "mallory", "admin": true})"},
      {http::verb::get, "/v1/users/alice", ""},
      {http::verb::patch, "/v1/users/alice", R"({"groups": ["finance"]})"},
      {http::verb::delete_, "/v1/users/alice", ""},
      {http::verb::get, "/v1/users/alice/tokens", ""},
      {http::verb::post, "/v1/users/alice/tokens", R"({"name": "mine"})"},
      {http::verb::delete_, "/v1/tokens/" + tokens_of_alice, ""},
      {http::verb::get, "/v1/groups", ""},
  };
  for (const std::string& token : {alice, robot}) {
    for (const Attempt& attempt : kAttempts) {
      Response response = Send(attempt.method, attempt.target, attempt.body, token);
      EXPECT_EQ(response.result(), http::status::forbidden) << attempt.target;
      EXPECT_EQ(ErrorCode(response), "forbidden") << attempt.target;
    }
  }
  EXPECT_EQ(directory_->ListUsers().size(), 2u) << "nothing changed";
  EXPECT_FALSE(directory_->ListTokens("alice")->at(0).revoked_at_ms);

  // An admin user may.
  std::string root = AddUser(R"({"id": "root", "admin": true})");
  EXPECT_EQ(Send(http::verb::get, "/v1/users", "", root).result(), http::status::ok);
  EXPECT_EQ(Send(http::verb::post, "/v1/users", R"({"id": "bob"})", root).result(),
            http::status::created);
}

TEST_F(IdentityRoutesTest, BadRequestsAreRefusedWithTheirReason) {
  AddUser(R"({"id": "alice"})");
  struct Case {
    http::verb method;
    std::string target;
    std::string body;
    http::status status;
    std::string code;
  };
  const Case kCases[] = {
      {http::verb::post, "/v1/users", R"({"id": "alice"})", http::status::conflict, "conflict"},
      {http::verb::post, "/v1/users", R"({"id": "bob", "grups": []})", http::status::bad_request,
       "invalid_argument"},
      {http::verb::post, "/v1/users", R"({"id": "Bob"})", http::status::bad_request,
       "invalid_argument"},
      {http::verb::post, "/v1/users", R"({"id": "admin"})", http::status::bad_request,
       "invalid_argument"},
      {http::verb::post, "/v1/users", R"({"id": "bob", "groups": "ops"})",
       http::status::bad_request, "invalid_argument"},
      {http::verb::post, "/v1/users", R"({"id": "bob", "admin": "yes"})",
       http::status::bad_request, "invalid_argument"},
      {http::verb::post, "/v1/users", R"({"id": "bob", "expires_in": "90y"})",
       http::status::bad_request, "invalid_argument"},
      {http::verb::post, "/v1/users", R"({"id": "bob", "id": "eve"})", http::status::bad_request,
       "invalid_json"},
      {http::verb::patch, "/v1/users/alice", R"({})", http::status::bad_request,
       "invalid_argument"},
      {http::verb::patch, "/v1/users/nobody", R"({"groups": []})", http::status::not_found,
       "not_found"},
      {http::verb::get, "/v1/users/nobody", "", http::status::not_found, "not_found"},
      {http::verb::post, "/v1/users/alice/tokens", R"({})", http::status::bad_request,
       "invalid_argument"},
      {http::verb::post, "/v1/users/alice/tokens", R"({"name": "x", "expires_in": "0d"})",
       http::status::bad_request, "invalid_argument"},
      {http::verb::delete_, "/v1/tokens/0000000000000000", "", http::status::not_found,
       "not_found"},
  };
  for (const Case& c : kCases) {
    Response response = Send(c.method, c.target, c.body);
    EXPECT_EQ(response.result(), c.status) << c.target << " " << c.body << ": " << response.body();
    EXPECT_EQ(ErrorCode(response), c.code) << c.target << " " << c.body;
  }
  EXPECT_EQ(directory_->ListUsers().size(), 1u);
}

TEST_F(IdentityRoutesTest, RevokedTokensAndRemovedUsersAre401) {
  std::string first = AddUser(R"({"id": "alice", "groups": ["finance"]})");
  Response issued = Send(http::verb::post, "/v1/users/alice/tokens",
                         R"({"name": "laptop", "expires_in": "90d"})");
  ASSERT_EQ(issued.result(), http::status::created) << issued.body();
  json::object laptop = Body(issued).as_object();
  EXPECT_EQ(laptop.at("name"), "laptop");
  EXPECT_TRUE(laptop.at("expires_at").is_string());
  std::string second(laptop.at("token").as_string());
  EXPECT_EQ(Send(http::verb::get, "/v1/me", "", second).result(), http::status::ok);

  Response revoked =
      Send(http::verb::delete_, "/v1/tokens/" + std::string(laptop.at("id").as_string()));
  ASSERT_EQ(revoked.result(), http::status::ok) << revoked.body();
  EXPECT_TRUE(Body(revoked).at("revoked_at").is_string());
  EXPECT_EQ(Send(http::verb::get, "/v1/me", "", second).result(), http::status::unauthorized);
  EXPECT_EQ(Send(http::verb::get, "/v1/me", "", first).result(), http::status::ok);

  Response changed = Send(http::verb::patch, "/v1/users/alice", R"({"groups": ["ops"]})");
  EXPECT_EQ(changed.body(), R"({"id":"alice","groups":["ops"],"service":false,"admin":false})");
  EXPECT_EQ(Send(http::verb::get, "/v1/groups").body(),
            R"({"groups":[{"name":"ops","members":["alice"]}]})");

  EXPECT_EQ(Send(http::verb::delete_, "/v1/users/alice").result(), http::status::ok);
  EXPECT_EQ(Send(http::verb::get, "/v1/me", "", first).result(), http::status::unauthorized);
  EXPECT_EQ(Send(http::verb::get, "/v1/users/alice").result(), http::status::not_found);
  Response again = Send(http::verb::post, "/v1/users", R"({"id": "alice"})");
  EXPECT_EQ(again.result(), http::status::conflict);
  EXPECT_NE(again.body().find("never reused"), std::string::npos) << again.body();
}

}  // namespace
}  // namespace assent::api
