#include "api/websocket_session.h"

#include <chrono>
#include <string>
#include <utility>
#include <variant>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/http/field.hpp>

#include "api/auth.h"
#include "api/json_views.h"
#include "api/json_writer.h"
#include "api/net_log.h"
#include "api/stream_hub.h"
#include "api/stream_message.h"
#include "engine/engine.h"

namespace assent::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace json = boost::json;
namespace websocket = beast::websocket;

namespace {

// The largest message a reviewer may send: room for a comment or a decision's comment at the
// engine's default limit (64 KiB) and the fields around it. A bigger one closes the connection
// (1009, "message too big"), as Beast enforces it while reading.
constexpr size_t kMaxMessageBytes = (64 + 8) * 1024;

// "10 s" or "200 ms", for the auth deadline message.
std::string DescribeDuration(std::chrono::milliseconds duration) {
  if (duration.count() % 1000 == 0) return std::to_string(duration.count() / 1000) + " s";
  return std::to_string(duration.count()) + " ms";
}

}  // namespace

WebSocketSession::WebSocketSession(asio::ip::tcp::socket socket,
                                   std::shared_ptr<ServerContext> context,
                                   ConnectionLimit::Slot slot, asio::ip::address client,
                                   std::optional<engine::Principal> principal,
                                   std::string token, StreamStart start)
    : slot_(std::move(slot)),
      ws_(std::move(socket)),
      auth_deadline_(ws_.get_executor()),
      recheck_(ws_.get_executor()),
      context_(std::move(context)),
      client_(std::move(client)),
      principal_(std::move(principal)),
      token_(std::move(token)),
      start_(start) {}

WebSocketSession::~WebSocketSession() { LeaveHub(); }

void WebSocketSession::Run(Request upgrade) {
  // Idle connections get pings (halfway through the idle timeout); a peer that answers
  // nothing within it is dropped.
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeouts.idle_timeout = context_->stream_idle_timeout;
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
    response.set(beast::http::field::server, "assent");
  }));
  ws_.read_message_max(kMaxMessageBytes);
  // Beast splits messages into 4 KiB frames by default: one syscall each, on both sides. A
  // hub frame for a thousand reviewers is tens of KiB, so send every message as one frame.
  ws_.auto_fragment(false);
  ws_.async_accept(upgrade,
                   beast::bind_front_handler(&WebSocketSession::OnAccept, shared_from_this()));
}

void WebSocketSession::Deliver(std::shared_ptr<const std::string> frame) {
  {
    std::lock_guard lock(inbox_mutex_);
    // A reviewer this far behind is disconnected by TakeInbox; until then, stop growing.
    if (inbox_.size() < context_->stream_max_queued) {
      inbox_.push_back(std::move(frame));
    } else {
      inbox_overflowed_ = true;
    }
    if (inbox_signaled_) return;  // a TakeInbox is already on its way
    inbox_signaled_ = true;
  }
  asio::post(ws_.get_executor(), [self = shared_from_this()] { self->TakeInbox(); });
}

void WebSocketSession::TakeInbox() {
  std::vector<std::shared_ptr<const std::string>> taken;
  bool overflowed;
  {
    std::lock_guard lock(inbox_mutex_);
    taken.swap(inbox_);
    inbox_signaled_ = false;
    overflowed = std::exchange(inbox_overflowed_, false);
  }
  if (overflowed) return CloseTooSlow();
  for (auto& message : taken) Queue(std::move(message));
}

void WebSocketSession::OnAccept(beast::error_code ec) {
  if (ec) return Fail(ec, "websocket accept");
  if (principal_) {
    StartStream();
  } else {
    auth_deadline_.expires_after(context_->websocket_auth_timeout);
    auth_deadline_.async_wait(
        beast::bind_front_handler(&WebSocketSession::OnAuthDeadline, shared_from_this()));
  }
  DoRead();
}

void WebSocketSession::OnAuthDeadline(beast::error_code ec) {
  if (ec || principal_ || close_reason_) return;  // cancelled, authenticated or closing anyway
  ApiError error = ApiError::Unauthorized();
  error.message = "no auth message within " + DescribeDuration(context_->websocket_auth_timeout);
  SendError(error, nullptr);
  Close({websocket::close_code::policy_error, "authentication timed out"});
}

void WebSocketSession::DoRead() {
  ws_.async_read(buffer_,
                 beast::bind_front_handler(&WebSocketSession::OnRead, shared_from_this()));
}

void WebSocketSession::OnRead(beast::error_code ec, size_t /*bytes*/) {
  if (ec) return Fail(ec, "websocket read");
  std::string text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  if (!close_reason_) HandleMessage(text);
  DoRead();
}

void WebSocketSession::HandleMessage(std::string_view text) {
  StreamMessage message = ParseStreamMessage(text, principal_);
  if (const auto* error = std::get_if<ApiError>(&message.request)) {
    SendError(*error, message.req);
    if (!principal_) Close({websocket::close_code::policy_error, "unauthorized"});
    return;
  }
  if (const auto* auth = std::get_if<StreamAuth>(&message.request)) return HandleAuth(*auth);
  if (const auto* more = std::get_if<StreamSnapshotMore>(&message.request)) {
    return SendSnapshotPage(message.req, more->after, more->limit);
  }
  HandleCommand(std::move(message));
}

void WebSocketSession::HandleAuth(const StreamAuth& message) {
  AuthResult auth = context_->auth.CheckToken(message.token, client_);
  principal_ = std::move(auth.principal);
  auth_deadline_.cancel();
  if (!principal_) {
    SendError(auth.Error(), nullptr);
    return Close({websocket::close_code::policy_error, "unauthorized"});
  }
  token_ = message.token;
  if (message.since) start_.since = message.since;
  if (message.page_size) start_.page_size = *message.page_size;
  StartStream();
}

void WebSocketSession::ScheduleRecheck() {
  recheck_.expires_after(context_->stream_recheck_interval);
  // Weak: a closed session is not kept alive until its next check.
  recheck_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    if (auto self = weak.lock()) self->OnRecheck(ec);
  });
}

void WebSocketSession::OnRecheck(beast::error_code ec) {
  if (ec || close_reason_) return;
  std::optional<engine::Principal> now = context_->auth.Recheck(token_);
  if (!now) {
    ApiError error = ApiError::Unauthorized();
    error.message = "the stream's token was revoked or expired, or its user removed";
    SendError(error, nullptr);
    return Close({websocket::close_code::policy_error, "token no longer valid"});
  }
  if (*now != *principal_) {
    // What it may see has changed: a reconnect (with its cursor) starts over with it.
    return Close({websocket::close_code::service_restart, "access changed: reconnect"});
  }
  ScheduleRecheck();
}

void WebSocketSession::HandleCommand(StreamMessage message) {
  // The engine answers on one of its strands (or at once); the answer hops back to this
  // session's strand. The ticket is shared because engine callbacks must be copyable; the
  // engine calls once.
  auto owed = std::make_shared<OwedReplies::Ticket>(context_->owed.Owe());
  auto answer = [self = shared_from_this(), req = message.req,
                 owed](Result<engine::ApprovalView> result) {
    asio::post(self->ws_.get_executor(), [self, req, owed, result = std::move(result)] {
      self->AnswerCommand(req, result, std::move(*owed));
    });
  };
  if (auto* decide = std::get_if<engine::DecideCommand>(&message.request)) {
    return context_->engine.Decide(std::move(*decide), std::move(answer));
  }
  context_->engine.AddComment(std::move(std::get<engine::CommentCommand>(message.request)),
                              std::move(answer));
}

void WebSocketSession::StartStream() {
  // Notifications are posted to this strand, so none can be queued before what is sent below.
  ScheduleRecheck();
  StreamHub::Joined joined = context_->hub.Join(weak_from_this(), *principal_, start_.since);
  hub_id_ = joined.id;
  cursor_ = joined.cursor;
  if (start_.since && !joined.reset) {
    for (auto& frame : joined.replay) Queue(std::move(frame));
    return;
  }
  if (joined.reset) SendJson({{"type", "reset"}, {"cursor", cursor_}});
  SendSnapshotPage(nullptr, "", start_.page_size);
}

void WebSocketSession::SendSnapshotPage(const json::value& req, std::string_view after,
                                        size_t limit) {
  // Written into the message one approval at a time: a page costs the message, not the
  // message plus every approval held again as objects.
  auto page = std::make_shared<std::string>(R"({"type":"snapshot","pending":[)");
  size_t listed = 0;
  size_t scanned = 0;
  std::string last_scanned;
  bool more = false;  // stopped with approvals left to scan
  Status status = context_->engine.ForEachApprovalNewestFirst(
      engine::ApprovalStatus::kPending, after, [&](const engine::ApprovalView& approval) {
        if (listed == limit || scanned == kMaxScannedPerPage) {
          more = true;
          return false;
        }
        ++scanned;
        last_scanned = approval.id;
        if (!context_->hub.Visible(*principal_, approval)) return true;
        if (listed++ > 0) page->push_back(',');
        page->append(
            WriteJson(ToJson(approval, context_->engine.Deciders(*principal_, approval))));
        return true;
      });
  if (!status.ok()) {
    SendError(ErrorFromStatus(status), req);
    // The first page is the stream's start: without it the reviewer has nothing to go on.
    if (after.empty() && req.is_null()) {
      Close({websocket::close_code::internal_error, "snapshot failed"});
    }
    return;
  }
  page->append("]");
  json::object tail{{"cursor", cursor_}};
  if (more) tail["next"] = last_scanned;
  if (!req.is_null()) tail["req"] = req;
  // The closing fields, spliced in after the array: {"cursor":..,"next":..} without its brace.
  std::string fields = WriteJson(tail);
  page->append("," + fields.substr(1));
  Queue(std::move(page));
}

void WebSocketSession::AnswerCommand(const json::value& req,
                                     const Result<engine::ApprovalView>& result,
                                     OwedReplies::Ticket owed) {
  if (!result.ok()) return SendError(ErrorFromStatus(result.status()), req, std::move(owed));
  json::object ack{{"type", "ack"}};
  if (!req.is_null()) ack["req"] = req;
  ack["approval"] = ToJson(*result, context_->engine.Deciders(*principal_, *result));
  SendJson(ack, std::move(owed));
}

void WebSocketSession::SendJson(const json::object& message, OwedReplies::Ticket owed) {
  Queue(std::make_shared<const std::string>(WriteJson(message)), std::move(owed));
}

void WebSocketSession::SendError(const ApiError& error, const json::value& req,
                                 OwedReplies::Ticket owed) {
  json::object message{{"type", "error"}};
  if (!req.is_null()) message["req"] = req;
  message["error"] = ErrorJson(error);
  SendJson(message, std::move(owed));
}

void WebSocketSession::Queue(std::shared_ptr<const std::string> message,
                             OwedReplies::Ticket owed) {
  if (close_reason_) return;
  if (queue_.size() > context_->stream_max_queued) {
    // Too far behind: keep only the write in flight and hang up rather than grow.
    queue_.resize(1);
    return CloseTooSlow();
  }
  queue_.push_back({std::move(message), std::move(owed)});
  if (queue_.size() == 1) DoWrite();
}

void WebSocketSession::Close(websocket::close_reason reason) {
  if (close_reason_) return;
  close_reason_ = std::move(reason);
  auth_deadline_.cancel();
  LeaveHub();
  if (queue_.empty()) DoClose();  // otherwise OnWrite closes once the queue drains
}

void WebSocketSession::CloseTooSlow() {
  Close({websocket::close_code::policy_error,
         "too slow: " + std::to_string(context_->stream_max_queued) + " messages queued"});
}

void WebSocketSession::DoWrite() {
  ws_.text(true);
  ws_.async_write(asio::buffer(*queue_.front().text),
                  beast::bind_front_handler(&WebSocketSession::OnWrite, shared_from_this()));
}

void WebSocketSession::OnWrite(beast::error_code ec, size_t /*bytes*/) {
  if (ec) return Fail(ec, "websocket write");
  queue_.pop_front();
  if (!queue_.empty()) return DoWrite();
  if (close_reason_) DoClose();
}

void WebSocketSession::DoClose() {
  ws_.async_close(*close_reason_,
                  beast::bind_front_handler(&WebSocketSession::OnClose, shared_from_this()));
}

void WebSocketSession::OnClose(beast::error_code ec) {
  if (ec) Fail(ec, "websocket close");
}

void WebSocketSession::Fail(beast::error_code ec, std::string_view what) {
  auth_deadline_.cancel();  // so the timer's handler does not keep this session alive
  LeaveHub();
  LogNetworkError(context_->logger, what, ec);
}

void WebSocketSession::LeaveHub() {
  if (hub_id_) context_->hub.Leave(*hub_id_);
  hub_id_.reset();
}

}  // namespace assent::api
