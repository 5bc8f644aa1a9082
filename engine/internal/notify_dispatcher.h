// NotifyDispatcher: sends the webhook deliveries of the notify outbox (notify_outbox.h) and
// deletes each once a 2xx answered it.
//
// Each delivery is POSTed with its body as recorded, `Assent-Delivery: <delivery id>` (the same
// on every attempt and after a restart: receivers de-duplicate on it) and, when its target has
// a secret, `Assent-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` (webhook_signature.h),
// the secret read from the definition version that recorded it. A failed attempt (network
// error, time-out, any status but 2xx) is tried again after NotifyRetryPolicy's backoff until
// the policy gives it up, which is logged and deletes it. At open every entry still in the
// outbox is sent again: a delivery recorded before a crash is sent after the restart. So each
// notification arrives at least once (more when a 2xx is lost, or the process dies between the
// 2xx and the delete).
//
// It runs on its own strand of the engine's threads and never blocks a shard or the commit
// thread: those only hand it delivery ids (Enqueue). At most notify_max_pending deliveries are
// kept at once (Reserve says when the outbox is full); at most notify_max_in_flight are sent at
// once. Memory holds only ids and retry times: bodies stay in the log until sent.
//
// Thread safety: Reserve, Release, Enqueue and pending() from any thread; Start once, before
// Enqueue; Stop from a thread that is not one of the io_context's.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "base/logger.h"
#include "base/status.h"
#include "engine/internal/http_pool.h"
#include "engine/internal/notify_retry.h"
#include "engine/internal/workflow_registry.h"
#include "storage/event_log.h"

namespace assent::engine {

struct NotifyDispatcherOptions {
  NotifyRetryPolicy retry;
  size_t max_pending = 100'000;
  size_t max_in_flight = 16;
  std::chrono::milliseconds timeout{10'000};
  bool allow_link_local = false;
  // The wall clock, unix milliseconds: signature timestamps and the give-up bound. Tests move it.
  std::function<int64_t()> now_ms;
};

class NotifyDispatcher {
 public:
  // `log`, `registry` and `logger` must outlive the dispatcher's Stop.
  // Deliveries go through `http_pool`, with the engine's http steps (http_pool.h).
  NotifyDispatcher(boost::asio::io_context& io, storage::EventLog& log,
                   const WorkflowRegistry& registry, Logger& logger,
                   NotifyDispatcherOptions options, std::shared_ptr<HttpPool> http_pool);
  ~NotifyDispatcher();
  NotifyDispatcher(const NotifyDispatcher&) = delete;
  NotifyDispatcher& operator=(const NotifyDispatcher&) = delete;

  // Schedules every delivery in the outbox, at once. Fails when the outbox cannot be scanned.
  Status Start();

  // Claims room for `count` new deliveries before they are committed: false (nothing claimed)
  // when the outbox would then hold more than max_pending. Release gives room back for a
  // commit that failed.
  bool Reserve(size_t count);
  void Release(size_t count);
  // Deliveries now durable in the outbox (their room Reserved): sends them.
  void Enqueue(std::vector<std::string> delivery_ids);

  // Deliveries in the outbox or about to be (reserved), not yet delivered or given up.
  size_t pending() const;

  // Stops sending (calls under way finish unheeded; what they would have deleted stays in the
  // outbox for the next start) and waits for deletes in flight.
  void Stop();

 private:
  class Core;
  std::shared_ptr<Core> core_;
};

}  // namespace assent::engine
