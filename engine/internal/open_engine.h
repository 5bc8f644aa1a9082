// Engine::Open with the engine-internal hooks tests need. Engine::Open is this with none.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "engine/engine.h"
#include "engine/internal/run_observer.h"

namespace assent::engine {

struct EngineHooks {
  // Sees every run's live state after each durable commit (the replay-equality check). May be
  // null; must outlive the engine.
  RunObserver* observer = nullptr;
  // The random bits of new run ids, called on shard strands. Empty: a PRNG seeded from
  // std::random_device. Tests make it repeat, to prove ids stay unique anyway.
  std::function<uint64_t()> run_id_random = nullptr;
  // The wall clock of the webhook dispatcher, unix milliseconds (signature timestamps, the
  // give-up bound). Empty: the system clock. Tests move it to reach the bound.
  std::function<int64_t()> notify_clock = nullptr;
  // The engine's wall clock, unix milliseconds: the time its events carry, and so when approval
  // timeouts come due. Empty: the system clock. Tests move it past a timeout.
  std::function<int64_t()> clock = nullptr;
  // How often the run timers look at the clock at the latest (run_timers.h). Tests
  // that move `clock` shorten it.
  std::chrono::milliseconds timer_poll = std::chrono::seconds(1);
};

Result<std::unique_ptr<Engine>> OpenEngine(storage::EventLog& log, EngineOptions options,
                                           EngineHooks hooks);

}  // namespace assent::engine
