// Users, service accounts and tokens through the real server: made over REST and with the CLI,
// each token authenticating as its user (who then decides as themselves), revoked and expired
// tokens refused, and all of it still so after a SIGKILL and a restart.
#include <chrono>
#include <string>
#include <thread>

#include "tests/e2e/e2e_fixture.h"

namespace assent::testing {
namespace {

namespace json = boost::json;

class IdentitiesTest : public E2eTest {
 protected:
  // Adds a user over REST as the admin; returns the answer's body.
  json::object AddUser(const json::object& user) {
    HttpReply reply = api().Post("/v1/users", user);
    EXPECT_EQ(reply.status, 201u) << reply.raw;
    return reply.body.is_object() ? reply.body.get_object() : json::object();
  }

  static std::string TokenOf(const json::object& created_or_issued) {
    const json::value* token = created_or_issued.if_contains("token");
    if (token == nullptr) return "";
    if (token->is_object()) return std::string(token->at("token").as_string());
    return std::string(token->as_string());
  }

  unsigned MeStatus(const std::string& token) {
    return ApiClient(server_->port(), token).Get("/v1/me").status;
  }

  // The CLI against this server with `token`.
  CommandResult Cli(const std::vector<std::string>& args, const std::string& token = kToken) {
    return RunAssent(args, {"ASSENT_URL=http://127.0.0.1:" + std::to_string(server_->port()),
                            "ASSENT_TOKEN=" + token});
  }

  // The token the CLI printed: the line after "token ...:" that starts with two spaces.
  static std::string PrintedToken(const std::string& output) {
    size_t at = output.find("\n  ast_");
    if (at == std::string::npos) return "";
    size_t start = at + 3;
    return output.substr(start, output.find('\n', start) - start);
  }
};

TEST_F(IdentitiesTest, AUserMadeOverRestSignsInAndDecidesAsThemselves) {
  json::object alice = AddUser({{"id", "alice"}, {"groups", json::array{"finance"}}});
  std::string token = TokenOf(alice);
  ASSERT_TRUE(token.starts_with("ast_")) << json::serialize(alice);

  ApiClient as_alice(server_->port(), token);
  HttpReply me = as_alice.Get("/v1/me");
  ASSERT_EQ(me.status, 200u) << me.raw;
  EXPECT_EQ(me.body, json::parse(R"({"id":"alice","groups":["finance"],"service":false,
                                    "admin":false})"));
  EXPECT_EQ(as_alice.Get("/v1/users").status, 403u);

  std::string run_id = StartInvoice(7200);
  json::value run = AwaitRunStatus(run_id, "waiting");
  std::string approval_id(run.at("pending_approvals").at(0).at("id").as_string());
  HttpReply decided = as_alice.Post("/v1/approvals/" + approval_id + "/decision",
                                    json::object{{"decision", "approve"}});
  ASSERT_EQ(decided.status, 200u) << decided.raw;
  EXPECT_EQ(decided.body.at("decisions").at(0).at("reviewer"), "alice");
  AwaitRunStatus(run_id, "completed");

  // Over the WebSocket too, authenticated by the first message, a decision is the user's.
  StreamClient stream(server_->port(), token, StreamClient::Auth::kFirstMessage);
  ASSERT_EQ(stream.Read().at("type"), "snapshot");
  std::string second_run = StartInvoice(8100);
  json::value waiting = AwaitRunStatus(second_run, "waiting");
  std::string second_approval(waiting.at("pending_approvals").at(0).at("id").as_string());
  stream.Send({{"type", "decide"}, {"id", second_approval}, {"decision", "approve"}, {"req", 1}});
  json::value ack = stream.ReadUntil([](const json::value& m) { return m.at("type") == "ack"; });
  EXPECT_EQ(ack.at("req"), 1) << json::serialize(ack);
  HttpReply approval = api().Get("/v1/approvals/" + second_approval);
  EXPECT_EQ(approval.body.at("decisions").at(0).at("reviewer"), "alice") << approval.raw;

  // A service account is told apart in its principal.
  json::object robot = AddUser({{"id", "ci-bot"}, {"service", true}});
  HttpReply robot_me = ApiClient(server_->port(), TokenOf(robot)).Get("/v1/me");
  EXPECT_EQ(robot_me.body.at("service"), true) << robot_me.raw;
}

TEST_F(IdentitiesTest, TheCliManagesUsersAndTokens) {
  CommandResult added = Cli({"users", "add", "bob", "--groups", "finance,ops"});
  ASSERT_EQ(added.exit_code, 0) << added.output;
  EXPECT_NE(added.output.find("shown only this once"), std::string::npos) << added.output;
  std::string first = PrintedToken(added.output);
  ASSERT_TRUE(first.starts_with("ast_")) << added.output;

  CommandResult me = Cli({"me"}, first);
  EXPECT_EQ(me.exit_code, 0) << me.output;
  EXPECT_NE(me.output.find("bob  groups: finance,ops"), std::string::npos) << me.output;

  CommandResult created = Cli({"tokens", "create", "bob", "--name", "laptop", "--expires", "90d"});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  std::string laptop = PrintedToken(created.output);
  EXPECT_EQ(MeStatus(laptop), 200u) << created.output;
  std::string laptop_id = laptop.substr(4, 16);

  CommandResult listed = Cli({"tokens", "list", "bob"});
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find(laptop_id), std::string::npos) << listed.output;
  EXPECT_EQ(listed.output.find(laptop.substr(21)), std::string::npos) << "a secret was listed";

  CommandResult revoked = Cli({"tokens", "revoke", laptop_id});
  EXPECT_EQ(revoked.exit_code, 0) << revoked.output;
  EXPECT_EQ(MeStatus(laptop), 401u);
  CommandResult refused = Cli({"me"}, laptop);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("unauthorized"), std::string::npos) << refused.output;

  CommandResult set = Cli({"users", "set-groups", "bob", "audit"});
  EXPECT_EQ(set.exit_code, 0) << set.output;
  EXPECT_NE(Cli({"users", "list"}).output.find("audit"), std::string::npos);
  CommandResult shown = Cli({"users", "show", "bob"});
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_NE(shown.output.find("laptop"), std::string::npos) << shown.output;

  CommandResult forbidden = Cli({"users", "list"}, first);
  EXPECT_EQ(forbidden.exit_code, 1) << forbidden.output;
  EXPECT_NE(forbidden.output.find("forbidden"), std::string::npos) << forbidden.output;
  CommandResult bad = Cli({"tokens", "create", "bob", "--name", "x", "--expires", "90y"});
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  CommandResult duplicate = Cli({"users", "add", "bob"});
  EXPECT_EQ(duplicate.exit_code, 1);
  EXPECT_NE(duplicate.output.find("conflict"), std::string::npos) << duplicate.output;

  CommandResult removed = Cli({"users", "remove", "bob"});
  EXPECT_EQ(removed.exit_code, 0) << removed.output;
  EXPECT_EQ(MeStatus(first), 401u);
}

TEST_F(IdentitiesTest, AnExpiredTokenIsRefused) {
  AddUser({{"id", "carol"}});
  HttpReply issued =
      api().Post("/v1/users/carol/tokens", json::object{{"name", "short"}, {"expires_in", "1s"}});
  ASSERT_EQ(issued.status, 201u) << issued.raw;
  std::string token = TokenOf(issued.body.as_object());
  // Works now (unless this machine took the whole second to get here), and stops within a bound.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  unsigned status = MeStatus(token);
  while (status == 200u && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // waiting for the clock itself
    status = MeStatus(token);
  }
  EXPECT_EQ(status, 401u) << "a token that expired after 1 s still works after 10 s";
}

TEST_F(IdentitiesTest, UsersAndRevocationsSurviveSigkill) {
  std::string alice = TokenOf(AddUser({{"id", "alice"}, {"groups", json::array{"finance"}}}));
  std::string bob = TokenOf(AddUser({{"id", "bob"}}));
  HttpReply second = api().Post("/v1/users/alice/tokens", json::object{{"name", "laptop"}});
  ASSERT_EQ(second.status, 201u) << second.raw;
  std::string laptop = TokenOf(second.body.as_object());
  ASSERT_EQ(api().Send("DELETE", "/v1/tokens/" + laptop.substr(4, 16), "").status, 200u);
  ASSERT_EQ(api().Send("DELETE", "/v1/users/bob", "").status, 200u);
  HttpReply users_before = api().Get("/v1/users");

  server_->Kill();
  StartServer();

  EXPECT_EQ(MeStatus(alice), 200u) << "an acknowledged token was lost";
  EXPECT_EQ(MeStatus(laptop), 401u) << "a revoked token works again";
  EXPECT_EQ(MeStatus(bob), 401u) << "a removed user's token works again";
  EXPECT_EQ(api().Get("/v1/users").body, users_before.body);
  EXPECT_EQ(api().Post("/v1/users", json::object{{"id", "bob"}}).status, 409u);

  // The directory's stream is no run, and `assent verify` reads the data dir as sound.
  EXPECT_EQ(api().Get("/v1/runs/~directory").status, 404u);
  CommandResult verified = RunAssent({"verify", "--data", data_.str()});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_NE(verified.output.find("7 identity changes: no problems"), std::string::npos)
      << verified.output;
}

}  // namespace
}  // namespace assent::testing
