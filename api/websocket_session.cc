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

// Room for a comment or a decision's comment at the engine's default limit (64 KiB) and the
// fields around it.
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
                                   std::optional<std::string> identity)
    : slot_(std::move(slot)),
      ws_(std::move(socket)),
      auth_deadline_(ws_.get_executor()),
      context_(std::move(context)),
      client_(std::move(client)),
      identity_(std::move(identity)) {}

WebSocketSession::~WebSocketSession() { LeaveHub(); }

void WebSocketSession::Run(Request upgrade) {
  // Idle connections get pings; a peer that stops answering them is dropped.
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
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
    if (inbox_.size() < kMaxQueuedMessages) {
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
  if (overflowed) {
    return Close({websocket::close_code::policy_error, "too slow: outbound queue full"});
  }
  for (auto& message : taken) Queue(std::move(message));
}

void WebSocketSession::OnAccept(beast::error_code ec) {
  if (ec) return Fail(ec, "websocket accept");
  if (identity_) {
    StartStream();
  } else {
    auth_deadline_.expires_after(context_->websocket_auth_timeout);
    auth_deadline_.async_wait(
        beast::bind_front_handler(&WebSocketSession::OnAuthDeadline, shared_from_this()));
  }
  DoRead();
}

void WebSocketSession::OnAuthDeadline(beast::error_code ec) {
  if (ec || identity_ || close_reason_) return;  // cancelled, authenticated or closing anyway
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
  StreamMessage message = ParseStreamMessage(text, identity_);
  if (const auto* error = std::get_if<ApiError>(&message.request)) {
    SendError(*error, message.req);
    if (!identity_) Close({websocket::close_code::policy_error, "unauthorized"});
    return;
  }
  if (const auto* auth = std::get_if<StreamAuth>(&message.request)) return HandleAuth(auth->token);
  HandleCommand(std::move(message));
}

void WebSocketSession::HandleAuth(std::string_view token) {
  AuthResult auth = context_->auth.CheckToken(token, client_);
  identity_ = std::move(auth.identity);
  auth_deadline_.cancel();
  if (!identity_) {
    SendError(auth.Error(), nullptr);
    return Close({websocket::close_code::policy_error, "unauthorized"});
  }
  StartStream();
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
  // Notifications are posted to this strand, so none can be queued before the snapshot below.
  hub_id_ = context_->hub.Join(weak_from_this());
  // Every pending approval, however many: a reviewer must see all that waits for them. Written
  // into the message one approval at a time, so a million pending approvals cost the message,
  // not the message plus every approval held twice more as objects.
  auto snapshot = std::make_shared<std::string>(R"({"type":"snapshot","pending":[)");
  bool first = true;
  // Only what this reviewer may see (the stream's own messages are not filtered yet: the
  // reviewers' stream work adds that, through Engine::MayView).
  engine::Principal viewer{.id = identity_.value_or(""),
                           .admin = identity_ == Authenticator::kAdminIdentity};
  Status listed = context_->engine.ForEachApproval(
      viewer, engine::ApprovalStatus::kPending, [&](const engine::ApprovalView& approval) {
        if (!std::exchange(first, false)) snapshot->push_back(',');
        snapshot->append(WriteJson(ToJson(approval)));
        return true;
      });
  if (!listed.ok()) {
    SendError(ErrorFromStatus(listed), nullptr);
    return Close({websocket::close_code::internal_error, "snapshot failed"});
  }
  snapshot->append("]}");
  Queue(std::move(snapshot));
}

void WebSocketSession::AnswerCommand(const json::value& req,
                                     const Result<engine::ApprovalView>& result,
                                     OwedReplies::Ticket owed) {
  if (!result.ok()) return SendError(ErrorFromStatus(result.status()), req, std::move(owed));
  json::object ack{{"type", "ack"}};
  if (!req.is_null()) ack["req"] = req;
  ack["approval"] = ToJson(*result);
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
  if (queue_.size() > kMaxQueuedMessages) {
    // Too far behind: keep only the write in flight and hang up rather than grow.
    queue_.resize(1);
    return Close({websocket::close_code::policy_error, "too slow: outbound queue full"});
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
