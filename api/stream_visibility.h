// StreamVisibility and StreamDeciders: the seams through which the access rules decide what each
// reviewer's stream carries, and whether it may decide what it carries. The server asks them for
// every notification (live and replayed) and every snapshot entry, per group of alike reviewers
// (StreamHub::VisibilityKey).
#pragma once

#include <functional>

#include "engine/actor.h"
#include "engine/engine.h"
#include "engine/views.h"

namespace assent::api {

// Whether `principal` may see `approval`. Must be quick, thread-safe and pure (the same answer
// for the same arguments): the hub calls it on its own thread, once per group and message.
using StreamVisibility =
    std::function<bool(const engine::Principal& principal, const engine::ApprovalView& approval)>;

// The engine's access rules: a reviewer sees an approval when they may see its workflow, or an
// outside agent's gate by its own rules (Engine::MayViewApproval). `engine` must outlive the
// function.
inline StreamVisibility EngineVisibility(engine::Engine& engine) {
  return [&engine](const engine::Principal& principal, const engine::ApprovalView& approval) {
    return engine.MayViewApproval(principal, approval);
  };
}

// Who may decide `approval` and whether `principal` may now (Engine::Deciders): the "approvers"
// and "can_decide" of each approval a stream carries. The same contract as StreamVisibility;
// the approvers must not depend on who asks.
using StreamDeciders = std::function<engine::DecidersView(const engine::Principal& principal,
                                                          const engine::ApprovalView& approval)>;

// The engine's access rules (Engine::Deciders). `engine` must outlive the function.
inline StreamDeciders EngineDeciders(engine::Engine& engine) {
  return [&engine](const engine::Principal& principal, const engine::ApprovalView& approval) {
    return engine.Deciders(principal, approval);
  };
}

}  // namespace assent::api
