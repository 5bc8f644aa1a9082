#include "bench/load/stream_watchers.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <string_view>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/json/parse.hpp>

#include "bench/load/sync_client.h"

namespace assent::bench {
namespace {

namespace beast = boost::beast;
namespace json = boost::json;

constexpr size_t kMaxCloseReasons = 5;
constexpr double kNotReceived = std::numeric_limits<double>::quiet_NaN();

double NowMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

enum class Kind { kRequested, kDecided };

// Calls on_event(kind, approval id) for each approval event in a frame: one message, or a
// {"type":"batch","messages":[...]} of several. The server writes each event as
// {"type":...,"approval":{"id":...: those prefixes are found without a full parse (2 events
// per approval per watcher add up). Quotes inside JSON strings are escaped, so the prefixes
// cannot match inside a value. A frame naming an approval event without them (the server
// changed its key order) is parsed properly.
template <typename OnEvent>
void ForEachApprovalEvent(std::string_view text, OnEvent on_event) {
  static constexpr std::string_view kRequested =
      R"({"type":"approval.requested","approval":{"id":")";
  static constexpr std::string_view kDecided = R"({"type":"approval.decided","approval":{"id":")";
  bool found = false;
  for (size_t at = text.find(R"({"type":"approval.)"); at != std::string_view::npos;
       at = text.find(R"({"type":"approval.)", at + 1)) {
    std::string_view rest = text.substr(at);
    for (auto [prefix, kind] : {std::pair{kRequested, Kind::kRequested}, {kDecided, Kind::kDecided}}) {
      if (!rest.starts_with(prefix)) continue;
      size_t end = rest.find('"', prefix.size());
      if (end == std::string_view::npos) continue;
      on_event(kind, rest.substr(prefix.size(), end - prefix.size()));
      found = true;
    }
  }
  if (found || (text.find("approval.requested") == std::string_view::npos &&
                text.find("approval.decided") == std::string_view::npos)) {
    return;
  }
  auto one = [&](const json::value& message) {
    const json::value& type = message.at("type");
    if (type != "approval.requested" && type != "approval.decided") return;
    on_event(type == "approval.requested" ? Kind::kRequested : Kind::kDecided,
             std::string_view(message.at("approval").at("id").as_string()));
  };
  json::value frame = json::parse(text);
  if (frame.at("type") != "batch") return one(frame);
  for (const json::value& message : frame.at("messages").as_array()) one(message);
}

}  // namespace

class StreamWatchers::Watcher {
 public:
  Watcher(StreamWatchers& owner, int index) : owner_(owner), index_(index), ws_(owner.io_) {}

  void Connect(const boost::asio::ip::tcp::endpoint& endpoint, const std::string& bearer) {
    ConnectStream(ws_, endpoint, bearer);
  }

  void Read() {
    ws_.async_read(buffer_, [this](beast::error_code ec, size_t) {
      if (ec) {
        std::string reason = ec.message();
        const auto& said = ws_.reason().reason;  // the server's close reason, if any
        if (!said.empty()) reason += ": " + std::string(said.data(), said.size());
        return owner_.OnClosed("watcher " + std::to_string(index_) + ": " + reason);
      }
      owner_.Record(index_, beast::buffers_to_string(buffer_.data()));
      buffer_.clear();
      Read();
    });
  }

 private:
  StreamWatchers& owner_;
  int index_;
  WebSocket ws_;
  beast::flat_buffer buffer_;
};

StreamWatchers::StreamWatchers(const boost::asio::ip::tcp::endpoint& endpoint,
                               const std::vector<std::string>& bearers) {
  for (const std::string& bearer : bearers) {
    watchers_.push_back(std::make_unique<Watcher>(*this, count()));
    watchers_.back()->Connect(endpoint, bearer);
  }
}

StreamWatchers::~StreamWatchers() { Stop(); }

void StreamWatchers::Start() {
  for (auto& watcher : watchers_) watcher->Read();
  thread_ = std::thread([this] { io_.run(); });
}

void StreamWatchers::Stop() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

const StreamWatchers::Receipts* StreamWatchers::Find(const std::string& id) const {
  auto it = receipts_.find(id);
  return it == receipts_.end() ? nullptr : &it->second;
}

void StreamWatchers::Record(int watcher, std::string_view frame) {
  double now = NowMs();
  ForEachApprovalEvent(frame, [&](Kind kind, std::string_view id) {
    events_.fetch_add(1, std::memory_order_relaxed);
    auto it = receipts_.find(id);
    bool added = it == receipts_.end();
    if (added) it = receipts_.try_emplace(std::string(id)).first;
    if (added) {
      it->second.requested.assign(watchers_.size(), kNotReceived);
      it->second.decided.assign(watchers_.size(), kNotReceived);
    }
    double& at = (kind == Kind::kRequested ? it->second.requested : it->second.decided)[watcher];
    if (!std::isnan(at)) ++duplicates_;
    at = now;
  });
}

void StreamWatchers::OnClosed(std::string reason) {
  closed_.fetch_add(1, std::memory_order_relaxed);
  if (close_reasons_.size() < kMaxCloseReasons) close_reasons_.push_back(std::move(reason));
}

}  // namespace assent::bench
