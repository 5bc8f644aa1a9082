// The reviewers' stream (/v1/stream) through the real server: cursors and replay after a
// reconnect, reset and paged snapshots, approval.cancelled, a reader that stops reading,
// malformed messages, keep-alive pings and the Origin check.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "tests/e2e/e2e_fixture.h"
#include "tests/support/raw_connection.h"

namespace assent::testing {
namespace {

namespace json = boost::json;
using Auth = StreamClient::Auth;

// What the server keeps for replay in these tests: small, so a cursor can fall out of it.
constexpr int kHistory = 50;

bool IsType(const json::value& message, const char* type) {
  return message.at("type") == type;
}

std::string ApprovalId(const json::value& message) {
  return std::string(message.at("approval").at("id").as_string());
}

uint64_t Cursor(const json::value& message) { return message.at("cursor").to_number<uint64_t>(); }

class StreamTest : public E2eTest {
 protected:
  void SetUp() override {
    Restart({});
    HttpReply applied = api().Put("/v1/workflows/invoice-payment",
                                  json::parse(InvoiceWorkflow(payee_.url("/payments"))));
    ASSERT_EQ(applied.status, 200u) << applied.raw;
  }

  // (Re)starts the server on the same data with the stream flags of these tests and `extra`.
  void Restart(std::vector<std::string> extra) {
    client_.reset();
    server_.reset();
    std::vector<std::string> args = {"serve",          "--data",
                                     data_.str(),      "--listen",
                                     "127.0.0.1:0",    "--admin-token",
                                     kToken,           "--stream-history",
                                     std::to_string(kHistory)};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<ServerProcess>(args);
  }

  std::unique_ptr<StreamClient> Connect(StreamClient::Options options = {}) {
    return std::make_unique<StreamClient>(server_->port(), kToken, Auth::kFirstMessage,
                                          std::move(options));
  }

  // Starts `count` invoice runs that wait for approval.
  void StartApprovals(int count) {
    for (int i = 0; i < count; ++i) StartInvoice(10'000 + i);
  }

  // Reads approval.requested messages until `count` distinct approvals have been seen.
  std::vector<json::value> ReadRequested(StreamClient& stream, size_t count) {
    std::vector<json::value> requested;
    while (requested.size() < count) {
      requested.push_back(stream.ReadUntil(
          [](const json::value& message) { return IsType(message, "approval.requested"); }));
    }
    return requested;
  }
};

TEST_F(StreamTest, ReconnectWithCursorInTheMiddleOfABurstMissesNothing) {
  constexpr int kApprovals = 40;
  auto first = Connect();
  json::value snapshot = first->Read();
  ASSERT_TRUE(IsType(snapshot, "snapshot")) << snapshot;
  EXPECT_EQ(Cursor(snapshot), 0u) << "nothing happened yet";

  std::thread burst([&] {
    ApiClient api(server_->port(), kToken);
    for (int i = 0; i < kApprovals; ++i) {
      HttpReply reply = api.Post("/v1/workflows/invoice-payment/runs",
                                 json::object{{"input", {{"amount", 9000}, {"vendor", "B"}}}});
      EXPECT_EQ(reply.status, 201u) << reply.raw;
    }
  });
  // Part of the burst on the first connection, then it drops and comes back with its cursor
  // while the burst goes on.
  std::vector<json::value> before = ReadRequested(*first, 10);
  uint64_t cursor = Cursor(before.back());
  first.reset();
  auto second = Connect({.auth_fields = {{"since", cursor}}});
  std::set<std::string> ids;
  for (const json::value& message : before) ids.insert(ApprovalId(message));
  uint64_t last = cursor;
  while (ids.size() < static_cast<size_t>(kApprovals)) {
    json::value message = second->Read();
    ASSERT_FALSE(IsType(message, "snapshot")) << "a servable cursor gets no snapshot";
    ASSERT_FALSE(IsType(message, "reset")) << message;
    ASSERT_TRUE(IsType(message, "approval.requested")) << message;
    EXPECT_EQ(Cursor(message), last + 1) << "no gap: every notification is visible here";
    last = Cursor(message);
    EXPECT_TRUE(ids.insert(ApprovalId(message)).second) << "duplicate " << message;
  }
  burst.join();
}

TEST_F(StreamTest, CursorOnTheUpgradeUrlWorksLikeTheAuthMessage) {
  auto watcher = Connect();
  ASSERT_TRUE(IsType(watcher->Read(), "snapshot"));
  StartApprovals(3);
  std::vector<json::value> seen = ReadRequested(*watcher, 3);
  auto reconnected = Connect({.target = "/v1/stream?since=" + std::to_string(Cursor(seen[0]))});
  EXPECT_EQ(ApprovalId(reconnected->Read()), ApprovalId(seen[1]));
  EXPECT_EQ(ApprovalId(reconnected->Read()), ApprovalId(seen[2]));
}

TEST_F(StreamTest, CursorOlderThanTheHistoryGetsResetAndPagedSnapshot) {
  constexpr int kApprovals = kHistory + 5;
  auto watcher = Connect();
  ASSERT_TRUE(IsType(watcher->Read(), "snapshot"));
  StartApprovals(kApprovals);
  std::vector<json::value> requested = ReadRequested(*watcher, kApprovals);

  // Cursor 1 has fallen out of the 50 kept; one from the future was never issued.
  for (uint64_t since : {uint64_t{1}, uint64_t{1'000'000}}) {
    auto late = Connect({.auth_fields = {{"since", since}, {"page_size", 20}}});
    json::value reset = late->Read();
    ASSERT_TRUE(IsType(reset, "reset")) << "since " << since << ": " << reset;
    EXPECT_EQ(Cursor(reset), Cursor(requested.back()));

    // Pages of 20, newest first, until one has no "next".
    std::vector<std::string> listed;
    json::value page = late->Read();
    for (int pages = 1;; ++pages) {
      ASSERT_TRUE(IsType(page, "snapshot")) << page;
      EXPECT_EQ(Cursor(page), Cursor(requested.back()));
      for (const json::value& approval : page.at("pending").as_array()) {
        listed.emplace_back(approval.at("id").as_string());
      }
      if (!page.as_object().contains("next")) break;
      EXPECT_EQ(page.at("pending").as_array().size(), 20u);
      ASSERT_LT(pages, 10) << "too many pages";
      late->Send({{"type", "snapshot.more"}, {"after", page.at("next")}, {"req", pages}});
      page = late->Read();
      EXPECT_EQ(page.at("req"), pages);
    }
    // Approval ids sort by the millisecond their run started, then by random bits.
    std::vector<std::string> expected;
    for (const json::value& message : requested) expected.push_back(ApprovalId(message));
    std::sort(expected.begin(), expected.end(), std::greater<>());
    EXPECT_EQ(listed, expected) << "every pending approval once, newest first";
  }
}

TEST_F(StreamTest, CursorFromBeforeARestartResumesWhenNothingWasMissed) {
  auto watcher = Connect();
  ASSERT_TRUE(IsType(watcher->Read(), "snapshot"));
  StartApprovals(2);
  uint64_t cursor = Cursor(ReadRequested(*watcher, 2).back());
  watcher.reset();

  Restart({});
  auto resumed = Connect({.auth_fields = {{"since", cursor}}});
  StartApprovals(1);
  json::value next = resumed->Read();
  ASSERT_TRUE(IsType(next, "approval.requested")) << "no reset, no snapshot: " << next;
  EXPECT_EQ(Cursor(next), cursor + 1) << "cursors go on across the restart";

  auto behind = Connect({.auth_fields = {{"since", cursor - 1}}});
  EXPECT_TRUE(IsType(behind->Read(), "reset"))
      << "what was missed before the restart is not kept: a reset, not a silent gap";
}

TEST_F(StreamTest, CancellingARunTellsReviewersItsApprovalIsWithdrawn) {
  auto watcher = Connect();
  ASSERT_TRUE(IsType(watcher->Read(), "snapshot"));
  std::string run_id = StartInvoice(9000);
  json::value requested = ReadRequested(*watcher, 1).front();

  HttpReply cancelled = api().Post("/v1/runs/" + run_id + "/cancel", json::object{});
  ASSERT_EQ(cancelled.status, 200u) << cancelled.raw;
  json::value withdrawn = watcher->Read();
  ASSERT_TRUE(IsType(withdrawn, "approval.cancelled")) << withdrawn;
  EXPECT_EQ(ApprovalId(withdrawn), ApprovalId(requested));
  EXPECT_EQ(withdrawn.at("approval").at("status"), "cancelled");
  EXPECT_EQ(Cursor(withdrawn), Cursor(requested) + 1);
}

TEST_F(StreamTest, MalformedMessagesGetErrorsWithTheirReqAndTheStreamStaysUp) {
  auto stream = Connect();
  ASSERT_TRUE(IsType(stream->Read(), "snapshot"));
  struct Case {
    json::value message;
    json::value req;
    const char* code = "invalid_argument";
  };
  std::vector<Case> cases = {
      {json::object{{"type", "frobnicate"}, {"req", 1}}, 1},
      {json::object{{"type", "decide"}, {"req", "two"}}, "two"},  // no id
      {json::object{{"type", "snapshot.more"}, {"req", 3}}, 3},   // no after
      {json::object{{"type", "snapshot.more"}, {"after", "x"}, {"limit", -1}, {"req", 4}}, 4},
      {json::array{1, 2}, nullptr, "invalid_json"},
  };
  for (const Case& c : cases) {
    stream->Send(c.message);
    json::value error = stream->Read();
    ASSERT_TRUE(IsType(error, "error")) << c.message << " -> " << error;
    EXPECT_EQ(error.as_object().if_contains("req") ? error.at("req") : json::value(), c.req);
    EXPECT_EQ(error.at("error").at("code"), c.code) << error;
  }
  StartApprovals(1);
  EXPECT_TRUE(IsType(stream->Read(), "approval.requested")) << "still connected and served";
}

// An approval whose shown blob makes each message big, so a reader that stops reading backs
// the server up after a few of them.
constexpr char kBigWorkflow[] = R"({"name": "big", "steps": [
  {"id": "review", "type": "approval", "message": "big", "show": {"blob": "{{input.blob}}"}}]})";

TEST_F(StreamTest, AReaderThatStopsIsDisconnectedWhileOthersGetEverything) {
  Restart({"--stream-max-queued", "8"});
  ASSERT_EQ(api().Put("/v1/workflows/big", json::parse(kBigWorkflow)).status, 200u);
  auto stuck = Connect({.receive_buffer_bytes = 4096});
  auto reader = Connect();
  ASSERT_TRUE(IsType(reader->Read(), "snapshot"));

  constexpr int kRuns = 80;  // 80 x 120 KiB: far more than the sockets' buffers hold
  std::string blob(120 * 1024, 'x');
  std::thread starts([&] {
    ApiClient api(server_->port(), kToken);
    for (int i = 0; i < kRuns; ++i) {
      HttpReply reply = api.Post("/v1/workflows/big/runs", json::object{{"input", {{"blob", blob}}}});
      EXPECT_EQ(reply.status, 201u) << reply.raw;
    }
  });
  std::set<std::string> ids;
  for (const json::value& message : ReadRequested(*reader, kRuns)) ids.insert(ApprovalId(message));
  starts.join();
  EXPECT_EQ(ids.size(), static_cast<size_t>(kRuns)) << "the reader got every approval";
  EXPECT_EQ(stuck->ReadUntilClosed(), "1008 too slow: 8 messages queued");
}

TEST_F(StreamTest, IdleStreamsArePingedAndDroppedWhenNothingAnswers) {
  Restart({"--stream-idle-timeout", "1s"});
  RawConnection socket(server_->port());
  socket.Send("GET /v1/stream HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
              "Authorization: Bearer " + std::string(kToken) + "\r\n\r\n");
  EXPECT_NE(socket.ReadUntil("\r\n\r\n").find("101"), std::string::npos);
  // A ping frame (FIN + opcode 9) comes halfway through the idle timeout; this client never
  // answers it, so the server drops the connection at its end.
  socket.ReadUntil(std::string(1, '\x89'), std::chrono::seconds(5));
  EXPECT_TRUE(socket.WaitClosed(std::chrono::seconds(5)));
}

TEST_F(StreamTest, UpgradesFromOtherOriginsAreRefusedBeforeTheHandshake) {
  Restart({"--allowed-origin", "https://reviews.example"});
  std::string port = std::to_string(server_->port());
  auto upgrade = [&](const std::string& origin) {
    RawConnection socket(server_->port());
    socket.Send("GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1:" + port +
                "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
                (origin.empty() ? "" : "Origin: " + origin + "\r\n") + "\r\n");
    return socket.ReadResponse();
  };
  RawResponse refused = upgrade("https://evil.example");
  EXPECT_EQ(refused.status, 403u);
  EXPECT_EQ(json::parse(refused.body).at("error").at("code"), "forbidden") << refused.body;
  EXPECT_EQ(upgrade("null").status, 403u) << "a sandboxed page or a file";
  EXPECT_EQ(upgrade("https://REVIEWS.example:443").status, 101u) << "an allowed origin";
  EXPECT_EQ(upgrade("http://127.0.0.1:" + port).status, 101u) << "the server's own";
  EXPECT_EQ(upgrade("").status, 101u) << "no Origin: a program, not a page";
}

}  // namespace
}  // namespace assent::testing
