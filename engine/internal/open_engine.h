// Engine::Open with the engine-internal extras tests need: a RunObserver that sees every run's
// live state after each durable commit. Engine::Open is this with no observer.
#pragma once

#include <memory>

#include "engine/engine.h"
#include "engine/internal/run_observer.h"

namespace assent::engine {

// `observer` (may be null) must outlive the engine.
Result<std::unique_ptr<Engine>> OpenEngine(storage::EventLog& log, EngineOptions options,
                                           RunObserver* observer);

}  // namespace assent::engine
