// Secrets hygiene of the real server: failed authentications throttled per address (429 with
// Retry-After, the token not even compared), the admin token taken from a file or the
// environment so it never shows in the process list, and a generated token kept in its 0600
// file, out of the output and the logs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/api_client.h"
#include "tests/support/raw_connection.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken[] = "hygiene-test-token-0123456789";

std::string CommandLine(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/cmdline");
  return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

TEST(AuthHygieneTest, RepeatedFailuresAreThrottledBeforeTheTokenIsCompared) {
  TempDir data;
  ServerProcess server({"serve", "--data", data.str(), "--listen", "127.0.0.1:0", "--admin-token",
                        kToken, "--auth-failures", "3"});
  ApiClient intruder(server.port(), "wrong-token");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(intruder.Get("/v1/runs").status, 401u) << i;
  RawConnection raw(server.port());
  raw.Send("GET /v1/runs HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer wrong-token\r\n\r\n");
  RawResponse throttled = raw.ReadResponse();
  EXPECT_EQ(throttled.status, 429u) << throttled.body;
  EXPECT_EQ(json::parse(throttled.body).at("error").at("code"), "too_many_requests");
  // 3 tries a minute: one comes back within 20 s.
  int retry_after = std::stoi(throttled.headers["retry-after"]);
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 20);
  // From the same address even the right token waits: it is not compared while throttled.
  EXPECT_EQ(ApiClient(server.port(), kToken).Get("/v1/runs").status, 429u);
  // A WebSocket auth message from there is refused the same way.
  RawConnection socket(server.port());
  socket.Send("GET /v1/stream HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + std::string(kToken) +
              "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  RawResponse upgrade = socket.ReadResponse();
  EXPECT_EQ(upgrade.status, 429u) << upgrade.body;
  // Health needs no token and stays open to everyone.
  EXPECT_EQ(intruder.Get("/healthz").status, 200u);
}

TEST(AuthHygieneTest, TheTokenCanComeFromAFileAndStaysOutOfTheProcessList) {
  TempDir data;
  std::string path = data.str() + "-token";
  {
    std::ofstream file(path);
    file << kToken << "\n";
  }
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  ServerProcess server(
      {"serve", "--data", data.str(), "--listen", "127.0.0.1:0", "--admin-token-file", path});
  EXPECT_EQ(ApiClient(server.port(), kToken).Get("/v1/runs").status, 200u);
  EXPECT_THAT(CommandLine(server.pid()), Not(HasSubstr(kToken)));
  std::filesystem::remove(path);
}

TEST(AuthHygieneTest, TheTokenCanComeFromTheEnvironment) {
  TempDir data;
  ServerProcess server({"serve", "--data", data.str(), "--listen", "127.0.0.1:0"},
                       {std::string("ASSENT_ADMIN_TOKEN=") + kToken});
  EXPECT_EQ(ApiClient(server.port(), kToken).Get("/v1/runs").status, 200u);
  EXPECT_THAT(CommandLine(server.pid()), Not(HasSubstr(kToken)));
  EXPECT_FALSE(std::filesystem::exists(data.str() + "/admin-token")) << "nothing generated";
}

TEST(AuthHygieneTest, AGeneratedTokenIsSavedPrivatelyAndNeverPrinted) {
  TempDir data;
  ServerProcess server({"serve", "--data", data.str(), "--listen", "127.0.0.1:0"});
  std::string path = data.str() + "/admin-token";
  server.WaitForOutput("server started");
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  std::ifstream file(path);
  std::string token;
  file >> token;
  ASSERT_EQ(token.size(), 64u);
  EXPECT_EQ(ApiClient(server.port(), token).Get("/v1/runs").status, 200u);
  // Where to find it is printed; the token itself goes nowhere.
  EXPECT_THAT(server.output(), HasSubstr("saved in " + path));
  EXPECT_THAT(server.output(), HasSubstr("cat " + path));
  EXPECT_THAT(server.output(), Not(HasSubstr(token)));
}

TEST(AuthHygieneTest, AnEmptyTokenFileIsAClearError) {
  TempDir data;
  std::string path = data.str() + "-empty-token";
  std::ofstream(path).close();
  CommandResult result = RunAssent(
      {"serve", "--data", data.str(), "--listen", "127.0.0.1:0", "--admin-token-file", path});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_THAT(result.output, HasSubstr(path + " is empty"));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace assent::testing
