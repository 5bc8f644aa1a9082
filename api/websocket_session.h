// WebSocketSession: one reviewer's live connection on /v1/stream. After authentication (the
// upgrade's Authorization header, or a first {"type":"auth","token"} message) it joins the
// StreamHub and either replays what the reviewer missed since its cursor ("since", in the auth
// message or the upgrade URL) or, without one or when the hub cannot serve it, sends
// {"type":"reset"} (only when a cursor was refused) and the first page of a snapshot of the
// pending approvals, newest first; then it forwards each notification the reviewer may see.
// It takes "decide", "comment" and "snapshot.more" messages and answers each with an ack, a
// page or an error; a malformed one gets an error and the connection stays up. One that does
// not authenticate within the server's deadline is told so and closed.
//
// Created by HttpSession on upgrade. Lives by shared_from_this; every member runs on the
// socket's strand except Deliver, which any thread may call. One write in flight; the outbound
// queue is bounded and a reviewer that falls too far behind is closed ("too slow"). Pings keep
// an idle connection checked; a peer that answers none within the idle timeout is dropped.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/object.hpp>

#include "api/connection_limit.h"
#include "api/errors.h"
#include "api/response.h"
#include "api/server_context.h"
#include "api/stream_hub.h"
#include "api/stream_message.h"
#include "engine/actor.h"
#include "engine/views.h"

namespace assent::api {

class WebSocketSession final : public StreamSink,
                               public std::enable_shared_from_this<WebSocketSession> {
 public:
  // Approvals a snapshot page may pass over (ones the reviewer may not see) before it is sent
  // as it is, so that a page costs a bounded scan however little the reviewer sees.
  static constexpr size_t kMaxScannedPerPage = 10 * kMaxSnapshotPage;

  // `slot`: the connection's place under the server's limit, held until the socket closes.
  // `client`: the peer, for the failed-authentication throttle. `principal`: who the upgrade
  // request's `token` named; nullopt when it carried none. `start`: from the upgrade URL.
  WebSocketSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerContext> context,
                   ConnectionLimit::Slot slot, boost::asio::ip::address client,
                   std::optional<engine::Principal> principal, std::string token,
                   StreamStart start);
  ~WebSocketSession();

  // Completes the handshake for `upgrade`, then serves the connection.
  void Run(Request upgrade);
  // Queues a serialized message. Thread-safe. Messages wait in an inbox and the session is
  // woken once per burst, not once per message: with a thousand reviewers, a notification
  // costs an append per reviewer, not a posted handler per reviewer.
  void Deliver(std::shared_ptr<const std::string> frame) override;

 private:
  void OnAccept(boost::beast::error_code ec);
  void DoRead();
  void OnRead(boost::beast::error_code ec, size_t bytes);

  void HandleMessage(std::string_view text);
  void HandleAuth(const StreamAuth& auth);
  // Checks the session's token again every stream_recheck_interval (see ServerOptions).
  void ScheduleRecheck();
  void OnRecheck(boost::beast::error_code ec);
  // Closes the connection if it has not authenticated when the auth deadline passes.
  void OnAuthDeadline(boost::beast::error_code ec);
  // A parsed "decide" or "comment", handed to the engine and answered by AnswerCommand.
  void HandleCommand(StreamMessage message);
  // Joins the hub, then replays or sends the snapshot's first page: joining first means no
  // notification is lost between the two (one may arrive twice after a snapshot; clients key
  // approvals by id).
  void StartStream();
  // One snapshot page of pending approvals the reviewer may see, newest first, below the
  // approval id `after` (empty: the newest). `req`: echoed for a "snapshot.more".
  void SendSnapshotPage(const boost::json::value& req, std::string_view after, size_t limit);
  // Sends {"type":"ack","req",approval} or {"type":"error","req",error}. Runs on the strand.
  // `owed` is settled once the answer is written (or dropped).
  void AnswerCommand(const boost::json::value& req, const Result<engine::ApprovalView>& result,
                     OwedReplies::Ticket owed);

  void SendJson(const boost::json::object& message, OwedReplies::Ticket owed = {});
  void SendError(const ApiError& error, const boost::json::value& req,
                 OwedReplies::Ticket owed = {});
  void Queue(std::shared_ptr<const std::string> message, OwedReplies::Ticket owed = {});
  // Sends what is queued, then closes with `reason`; later messages are dropped.
  void Close(boost::beast::websocket::close_reason reason);
  // Closes a reviewer whose queue passed the server's bound (policy error, "too slow").
  void CloseTooSlow();
  void DoWrite();
  void OnWrite(boost::beast::error_code ec, size_t bytes);
  void DoClose();
  void OnClose(boost::beast::error_code ec);
  void Fail(boost::beast::error_code ec, std::string_view what);
  void LeaveHub();

  ConnectionLimit::Slot slot_;  // first: released only once the socket has closed
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  boost::asio::steady_timer auth_deadline_;
  boost::asio::steady_timer recheck_;
  std::shared_ptr<ServerContext> context_;
  const boost::asio::ip::address client_;
  // Who the session acts and sees for, once authenticated, and the token that said so.
  std::optional<engine::Principal> principal_;
  std::string token_;
  StreamStart start_;
  uint64_t cursor_ = 0;                  // the hub's cursor when the session joined
  std::optional<uint64_t> hub_id_;       // set while joined
  struct Outgoing {
    std::shared_ptr<const std::string> text;
    OwedReplies::Ticket owed;  // settled when the message is written or dropped
  };
  // Front is the message being written, if any.
  // Moves what Deliver left in the inbox into the outbound queue (on the strand).
  void TakeInbox();
  std::mutex inbox_mutex_;
  std::vector<std::shared_ptr<const std::string>> inbox_;  // guarded by inbox_mutex_
  bool inbox_signaled_ = false;  // guarded by inbox_mutex_: a TakeInbox is posted
  bool inbox_overflowed_ = false;  // guarded by inbox_mutex_: messages were dropped

  std::deque<Outgoing> queue_;  // the front entry is being written
  std::optional<boost::beast::websocket::close_reason> close_reason_;  // closing once drained
};

}  // namespace assent::api
