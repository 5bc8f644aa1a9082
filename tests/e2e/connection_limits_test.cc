// The server's own defences against clients that hold connections: a bounded number of open
// connections (one more gets 503 and the server stays up), idle and slow connections closed by
// their deadlines, WebSockets that never authenticate closed, and accept() running out of
// descriptors answered by backing off, not by exiting or spinning. Every deadline here is set
// by a flag to a fraction of a second, and every wait is for the socket's EOF, bounded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/support/raw_connection.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

constexpr char kToken[] = "limits-test-token";
constexpr char kHealthz[] = "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n";

std::unique_ptr<ServerProcess> Serve(const TempDir& data, std::vector<std::string> flags) {
  std::vector<std::string> args = {"serve",       "--data",        data.str(), "--listen",
                                   "127.0.0.1:0", "--admin-token", kToken};
  args.insert(args.end(), flags.begin(), flags.end());
  return std::make_unique<ServerProcess>(args);
}

// GET /healthz on a fresh connection.
RawResponse Healthz(uint16_t port) {
  RawConnection connection(port);
  connection.Send(kHealthz);
  return connection.ReadResponse();
}

TEST(ConnectionLimitsTest, AtTheLimitANewClientGets503AndIsServedOnceASlotFrees) {
  TempDir data;
  auto server = Serve(data, {"--max-connections", "3"});
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 3; ++i) held.push_back(std::make_unique<RawConnection>(server->port()));
  // One serving connection proves the three were accepted: the listener takes connections in
  // order, so by the time it answers a fourth, it has counted the three.
  RawResponse refused = Healthz(server->port());
  EXPECT_EQ(refused.status, 503u) << refused.body;
  EXPECT_EQ(refused.headers["retry-after"], "1");
  json::value body = json::parse(refused.body);
  EXPECT_EQ(body.at("error").at("code"), "unavailable");
  EXPECT_THAT(std::string(body.at("error").at("message").as_string()),
              HasSubstr("limit of 3 open connections"));
  server->WaitForOutput("connection limit reached");

  held.pop_back();  // the server sees EOF and frees the slot
  // Until the server has noticed, a client may still be refused: retry, bounded.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  unsigned status = 0;
  while (status != 200 && std::chrono::steady_clock::now() < deadline) {
    status = Healthz(server->port()).status;
    ASSERT_TRUE(status == 200 || status == 503) << status;
  }
  EXPECT_EQ(status, 200u) << "no slot freed within 10 s after a client closed";
  EXPECT_FALSE(server->ExitStatus().has_value()) << server->output();
}

TEST(ConnectionLimitsTest, IdleConnectionsAreClosed) {
  TempDir data;
  auto server = Serve(data, {"--idle-timeout", "200ms"});
  RawConnection silent(server->port());  // never sends a byte
  RawConnection kept_alive(server->port());
  kept_alive.Send(kHealthz);
  EXPECT_EQ(kept_alive.ReadResponse().status, 200u);
  EXPECT_TRUE(silent.WaitClosed()) << "a silent connection was still open after 10 s";
  EXPECT_TRUE(kept_alive.WaitClosed()) << "an idle keep-alive connection was still open after 10 s";
}

TEST(ConnectionLimitsTest, SlowHeadersAndSlowBodiesAreClosed) {
  TempDir data;
  auto server = Serve(data, {"--header-timeout", "200ms", "--body-timeout", "200ms"});
  RawConnection slow_headers(server->port());
  slow_headers.Send("GET /healthz HTTP/1.1\r\nHo");  // and nothing more
  RawConnection slow_body(server->port());
  slow_body.Send("PUT /v1/workflows/w HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " +
                 std::string(kToken) + "\r\nContent-Length: 100\r\n\r\n{\"na");
  EXPECT_TRUE(slow_headers.WaitClosed()) << "headers never finished, yet still open after 10 s";
  EXPECT_TRUE(slow_body.WaitClosed()) << "a body never finished, yet still open after 10 s";
  EXPECT_EQ(Healthz(server->port()).status, 200u);
}

TEST(ConnectionLimitsTest, AWebSocketThatNeverAuthenticatesIsClosed) {
  TempDir data;
  auto server = Serve(data, {"--websocket-auth-timeout", "200ms"});
  RawConnection socket(server->port());
  socket.Send(
      "GET /v1/stream HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  EXPECT_THAT(socket.ReadUntil("\r\n\r\n"), HasSubstr("101"));
  // The error message, then a close frame (opcode 8, FIN set: 0x88).
  EXPECT_THAT(socket.ReadUntil("\x88"), HasSubstr("no auth message within 200 ms"));
}

// The soft RLIMIT_NOFILE of `pid`, set from outside while it runs.
void SetDescriptorLimit(pid_t pid, rlim_t soft) {
  rlimit limit{};
  ASSERT_EQ(prlimit(pid, RLIMIT_NOFILE, nullptr, &limit), 0);
  limit.rlim_cur = soft;
  ASSERT_EQ(prlimit(pid, RLIMIT_NOFILE, &limit, nullptr), 0);
}

size_t OpenDescriptors(pid_t pid) {
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    ++count;
  }
  return count;
}

// User plus system CPU time of `pid`, in clock ticks (/proc/PID/stat fields 14 and 15).
long CpuTicks(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));  // after "(comm) "
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return utime + stime;
}

TEST(ConnectionLimitsTest, OutOfDescriptorsTheServerBacksOffAndRecovers) {
#ifdef ASSENT_SANITIZED
  // The sanitizers' runtime needs descriptors of its own (it reads /proc/self/maps to check a
  // pointer): out of them, it reports the server's first error-code comparison as bad memory.
  GTEST_SKIP() << "not under a sanitizer: its runtime needs the descriptors this test takes";
#endif
  TempDir data;
  // A limit above what the descriptors allow, so accept() itself runs out (EMFILE).
  auto server = Serve(data, {"--max-connections", "1000"});
  pid_t pid = server->pid();
  rlimit before{};
  ASSERT_EQ(prlimit(pid, RLIMIT_NOFILE, nullptr, &before), 0);
  SetDescriptorLimit(pid, OpenDescriptors(pid) + 2);
  std::vector<std::unique_ptr<RawConnection>> clients;
  for (int i = 0; i < 8; ++i) clients.push_back(std::make_unique<RawConnection>(server->port()));
  server->WaitForOutput("accept (retrying)");

  // Held out of descriptors for a second, it waits rather than spins: well under half a core.
  long ticks_per_second = sysconf(_SC_CLK_TCK);
  long cpu_before = CpuTicks(pid);
  auto window = std::chrono::seconds(1);
  std::this_thread::sleep_for(window);  // a measuring window, not a synchronisation
  EXPECT_LT(CpuTicks(pid) - cpu_before, ticks_per_second / 2) << "accept() retries spin";

  clients.clear();
  SetDescriptorLimit(pid, before.rlim_cur);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  unsigned status = 0;
  while (status != 200 && std::chrono::steady_clock::now() < deadline) {
    status = Healthz(server->port()).status;
  }
  EXPECT_EQ(status, 200u) << server->output();
  EXPECT_FALSE(server->ExitStatus().has_value()) << server->output();
}

}  // namespace
}  // namespace assent::testing
