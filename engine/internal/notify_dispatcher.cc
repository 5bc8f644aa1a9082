#include "engine/internal/notify_dispatcher.h"

#include <condition_variable>
#include <future>
#include <map>
#include <mutex>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "engine/internal/http_call.h"
#include "engine/internal/notify_outbox.h"
#include "engine/internal/webhook_signature.h"

namespace assent::engine {

using Clock = std::chrono::steady_clock;

class NotifyDispatcher::Core : public std::enable_shared_from_this<Core> {
 public:
  Core(boost::asio::io_context& io, storage::EventLog& log, const WorkflowRegistry& registry,
       Logger& logger, NotifyDispatcherOptions options, std::shared_ptr<HttpPool> http_pool)
      : strand_(boost::asio::make_strand(io)),
        timer_(strand_),
        log_(log),
        registry_(registry),
        logger_(logger),
        options_(std::move(options)),
        http_pool_(std::move(http_pool)) {}

  Status Start() {
    std::vector<std::string> ids;
    Status scanned = log_.ScanIndex(storage::Index::kNotifyOutbox, "",
                                    [&](std::string_view key, std::string_view) {
                                      ids.emplace_back(key);
                                      return true;
                                    });
    if (!scanned.ok()) return scanned;
    if (!ids.empty()) {
      logger_.Info("resuming webhook deliveries", {{"count", ids.size()}});
    }
    pending_ += ids.size();
    Enqueue(std::move(ids));
    return Status::Ok();
  }

  bool Reserve(size_t count) {
    size_t current = pending_.load();
    do {
      if (current + count > options_.max_pending) return false;
    } while (!pending_.compare_exchange_weak(current, current + count));
    return true;
  }
  void Release(size_t count) { pending_ -= count; }
  size_t pending() const { return pending_.load(); }

  void Enqueue(std::vector<std::string> ids) {
    if (ids.empty()) return;
    boost::asio::post(strand_, [self = shared_from_this(), ids = std::move(ids)]() mutable {
      const Clock::time_point now = Clock::now();
      for (std::string& id : ids) self->due_.emplace(now, Entry{std::move(id), 0, 0});
      self->Pump();
    });
  }

  void Stop() {
    std::promise<void> stopped;
    boost::asio::post(strand_, [this, &stopped] {
      stopped_ = true;
      timer_.cancel();
      due_.clear();
      stopped.set_value();
    });
    stopped.get_future().wait();
    std::unique_lock lock(deletes_mutex_);
    deletes_done_.wait(lock, [this] { return deletes_in_flight_ == 0; });
  }

 private:
  struct Entry {
    std::string id;
    uint32_t failures;
    int64_t created_at_ms;  // 0 until the entry was read
  };

  // Sends what is due, as far as max_in_flight allows, and arms the timer for the next one.
  void Pump() {
    if (stopped_) return;
    const Clock::time_point now = Clock::now();
    while (!due_.empty() && in_flight_ < options_.max_in_flight && due_.begin()->first <= now) {
      Entry entry = std::move(due_.begin()->second);
      due_.erase(due_.begin());
      Send(std::move(entry));
    }
    if (due_.empty() || in_flight_ >= options_.max_in_flight) return;  // a reply pumps again
    timer_.expires_at(due_.begin()->first);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->Pump();
    });
  }

  void Send(Entry entry) {
    std::string value;
    Status read = log_.GetIndex(storage::Index::kNotifyOutbox, entry.id, &value);
    if (read.code() == StatusCode::kNotFound) {
      pending_ -= 1;  // delivered and deleted already (it was enqueued twice)
      return;
    }
    if (!read.ok()) return Retry(std::move(entry), "the outbox entry cannot be read: " +
                                                       read.ToString());
    Result<OutboxDelivery> delivery = DecodeDelivery(value);
    if (!delivery.ok()) {
      logger_.Error("unreadable webhook delivery dropped",
                    {{"delivery_id", entry.id}, {"error", delivery.status().ToString()}});
      return Delete(entry.id);
    }
    entry.created_at_ms = delivery->created_at_ms;

    HttpCallRequest request;
    request.method = "POST";
    request.url = delivery->url;
    request.body = std::move(delivery->body);
    request.headers.emplace_back("Assent-Delivery", delivery->id);
    if (std::string secret = SecretOf(*delivery); !secret.empty()) {
      request.headers.emplace_back(
          "Assent-Signature", WebhookSignature(secret, options_.now_ms() / 1000, request.body));
    }
    request.timeout = options_.timeout;
    // The body is unread, but a longer one fails the attempt (and is retried): be generous.
    request.max_response_bytes = 1u << 20;
    request.allow_link_local = options_.allow_link_local;
    request.ca_file = delivery->ca_file;
    ++in_flight_;
    StartHttpCall(http_pool_, strand_, std::move(request),
                  [self = shared_from_this(), entry = std::move(entry)](
                      Result<HttpCallResponse> outcome) mutable {
                    self->OnOutcome(std::move(entry), outcome);
                  });
  }

  // The secret of the delivery's target (the workflow's, or its notify step's) in the
  // definition version that recorded it; empty when it has none (or the version cannot be
  // read: the delivery goes unsigned, and says so).
  std::string SecretOf(const OutboxDelivery& delivery) {
    auto definition = registry_.Get(delivery.workflow, delivery.version);
    const StepDefinition* step = definition == nullptr || delivery.step_id.empty()
                                     ? nullptr
                                     : definition->Find(delivery.step_id);
    if (step != nullptr && step->type == StepType::kNotify) return step->target.secret;
    if (definition == nullptr || !delivery.step_id.empty() ||
        delivery.target >= definition->notify.size()) {
      logger_.Error("webhook delivery sent unsigned: its definition cannot be read",
                    {{"delivery_id", delivery.id},
                     {"workflow", delivery.workflow},
                     {"version", delivery.version}});
      return {};
    }
    return definition->notify[delivery.target].secret;
  }

  void OnOutcome(Entry entry, const Result<HttpCallResponse>& outcome) {
    --in_flight_;
    if (stopped_) return;
    if (outcome.ok() && outcome->status >= 200 && outcome->status < 300) {
      Delete(entry.id);
    } else {
      Retry(std::move(entry), outcome.ok() ? "answered " + std::to_string(outcome->status)
                                           : outcome.status().message());
    }
    Pump();
  }

  void Retry(Entry entry, const std::string& why) {
    ++entry.failures;
    const int64_t now_ms = options_.now_ms();
    const int64_t created = entry.created_at_ms != 0 ? entry.created_at_ms : now_ms;
    if (options_.retry.GivesUp(created, now_ms, entry.failures)) {
      logger_.Error("webhook delivery given up", {{"delivery_id", entry.id},
                                                  {"attempts", entry.failures},
                                                  {"error", why}});
      return Delete(entry.id);
    }
    std::chrono::milliseconds delay = options_.retry.DelayAfter(entry.failures);
    // A receiver down for a day fails each delivery ~150 times: the first is worth a warning,
    // the rest only at debug level.
    std::initializer_list<LogField> fields = {{"delivery_id", entry.id},
                                              {"attempt", entry.failures},
                                              {"retry_in_ms", delay.count()},
                                              {"error", why}};
    if (entry.failures == 1) {
      logger_.Warn("webhook delivery failed; retrying", fields);
    } else {
      logger_.Debug("webhook delivery failed; retrying", fields);
    }
    due_.emplace(Clock::now() + delay, std::move(entry));
  }

  // Removes a delivery from the outbox. Should the delete not be written, the entry is sent
  // again after the next start: at least once allows it.
  void Delete(const std::string& id) {
    {
      std::lock_guard lock(deletes_mutex_);
      ++deletes_in_flight_;
    }
    storage::AppendBatch batch;
    batch.index_ops.push_back({storage::Index::kNotifyOutbox, id, std::nullopt});
    log_.Append(std::move(batch), [self = shared_from_this(), id](Status status, uint64_t /*first_position*/) {
      if (!status.ok()) {
        self->logger_.Warn("webhook delivery sent but not removed from the outbox; it is sent "
                           "again after a restart",
                           {{"delivery_id", id}, {"error", status.ToString()}});
      }
      self->pending_ -= 1;
      std::lock_guard lock(self->deletes_mutex_);
      if (--self->deletes_in_flight_ == 0) self->deletes_done_.notify_all();
    });
  }

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer timer_;
  storage::EventLog& log_;
  const WorkflowRegistry& registry_;
  Logger& logger_;
  const NotifyDispatcherOptions options_;
  const std::shared_ptr<HttpPool> http_pool_;

  std::atomic<size_t> pending_{0};
  // On the strand:
  std::multimap<Clock::time_point, Entry> due_;
  size_t in_flight_ = 0;
  bool stopped_ = false;

  std::mutex deletes_mutex_;
  std::condition_variable deletes_done_;
  size_t deletes_in_flight_ = 0;  // guarded by deletes_mutex_
};

NotifyDispatcher::NotifyDispatcher(boost::asio::io_context& io, storage::EventLog& log,
                                   const WorkflowRegistry& registry, Logger& logger,
                                   NotifyDispatcherOptions options,
                                   std::shared_ptr<HttpPool> http_pool)
    : core_(std::make_shared<Core>(io, log, registry, logger, std::move(options),
                                   std::move(http_pool))) {}

NotifyDispatcher::~NotifyDispatcher() = default;

Status NotifyDispatcher::Start() { return core_->Start(); }
bool NotifyDispatcher::Reserve(size_t count) { return core_->Reserve(count); }
void NotifyDispatcher::Release(size_t count) { core_->Release(count); }
void NotifyDispatcher::Enqueue(std::vector<std::string> ids) { core_->Enqueue(std::move(ids)); }
size_t NotifyDispatcher::pending() const { return core_->pending(); }
void NotifyDispatcher::Stop() { core_->Stop(); }

}  // namespace assent::engine
